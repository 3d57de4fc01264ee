"""`make package` adds the operators' alarms (DLQ depth, sync error rate, API 5xx) and the tracing switch, on the
metrics the service really emits (chalicelib/observability.py); cfn-lint of the same template is tests/test_package.py.
"""
import json

import pytest

from chalicelib import observability
from tests.packaging import ROOT, package_template

FUNCTIONS = ("APIHandler", "SyncRelay", "SyncWorker", "SyncSweeper", "SyncCdcSweep")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    return json.loads(package_template(tmp_path_factory.mktemp("alarms")).read_text())


def _alarm(template: dict, name: str) -> dict:
    resource = template["Resources"][name]
    assert resource["Type"] == "AWS::CloudWatch::Alarm"
    props = resource["Properties"]
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}] and props["TreatMissingData"] == "notBreaching"
    return props


def test_the_dead_letter_queue_alarms_on_its_first_message(template):
    props = _alarm(template, "SyncDeadLetterAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert props["Dimensions"] == [{"Name": "QueueName",
                                    "Value": {"Fn::GetAtt": ["SyncDeadLetterQueue", "QueueName"]}}]
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0)


def test_the_sync_error_rate_alarm_reads_the_emf_metrics_the_worker_emits(template):
    props = _alarm(template, "SyncErrorRateAlarm")
    stats = {m["Id"]: m["MetricStat"]["Metric"] for m in props["Metrics"] if "MetricStat" in m}
    for metric in stats.values():
        assert metric["Namespace"] == observability.METRICS_NAMESPACE
        assert metric["Dimensions"] == [{"Name": "service", "Value": observability.METRICS_SERVICE}]
    assert {m["MetricName"] for m in stats.values()} == {"SyncFailed", "SyncPushed"}
    rate = next(m for m in props["Metrics"] if m.get("ReturnData"))
    assert "failed" in rate["Expression"] and "pushed" in rate["Expression"]
    assert props["Threshold"] == 20


def test_the_api_5xx_alarm_names_the_packaged_rest_api_and_stage(template):
    props = _alarm(template, "Api5xxAlarm")
    api = template["Resources"]["RestAPI"]["Properties"]
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("AWS/ApiGateway", "5XXError", "Average")
    assert props["Dimensions"] == [{"Name": "ApiName", "Value": api["DefinitionBody"]["info"]["title"]},
                                   {"Name": "Stage", "Value": api["StageName"]}]
    assert api["DefinitionBody"]["info"]["title"] == config["app_name"]


def test_tracing_is_one_parameter_for_every_function(template):
    assert template["Parameters"]["Tracing"]["Default"] == "PassThrough"
    for name in FUNCTIONS:
        props = template["Resources"][name]["Properties"]
        assert props["Tracing"] == {"Ref": "Tracing"}
        assert props["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == {
            "Fn::If": ["TracingOn", "false", "true"]}
    policy = template["Resources"]["TracingUse"]
    assert policy["Condition"] == "TracingOn"
    assert len(policy["Properties"]["Roles"]) == len(FUNCTIONS)
