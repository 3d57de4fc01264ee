"""Every worker setting README's "Deploy settings" table gives is what the packaged template says (counts and
equalities, no timing), and the settings that depend on each other keep their relation."""
import json
import re

import pytest

from tests.packaging import ROOT


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from tests.packaging import package_template

    return json.loads(package_template(tmp_path_factory.mktemp("package")).read_text())


def _worker_source(r):
    return r["SyncWorker"]["Properties"]["Events"]["SyncWorkerSqsEventSource"]["Properties"]


def _relay_source(r):
    return r["SyncRelay"]["Properties"]["Events"]["SyncRelayDynamodbEventSource"]["Properties"]


def _schedule(r, function):
    return [e["Properties"]["Schedule"] for e in r[function]["Properties"]["Events"].values()][0]


# the table's first column → the value in the packaged template (Resources, Parameters)
SETTINGS = {
    "worker concurrency (`SyncWorkerConcurrency`)": lambda r, p: p["SyncWorkerConcurrency"]["Default"],
    "worker batch size": lambda r, p: _worker_source(r)["BatchSize"],
    "worker batching window (s)": lambda r, p: _worker_source(r).get("MaximumBatchingWindowInSeconds", 0),
    "relay batch size": lambda r, p: _relay_source(r)["BatchSize"],
    "relay batching window (s)": lambda r, p: _relay_source(r).get("MaximumBatchingWindowInSeconds", 0),
    "worker timeout (s)": lambda r, p: r["SyncWorker"]["Properties"]["Timeout"],
    "queue visibility timeout (s)": lambda r, p: r["SyncQueue"]["Properties"]["VisibilityTimeout"],
    "redelivery backoff (`SYNC_REDELIVERY_BACKOFF`)":
        lambda r, p: r["SyncWorker"]["Properties"]["Environment"]["Variables"]["SYNC_REDELIVERY_BACKOFF"],
    "maxReceiveCount": lambda r, p: r["SyncQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"],
    "DLQ retention (s)": lambda r, p: r["SyncDeadLetterQueue"]["Properties"]["MessageRetentionPeriod"],
    "API memory (MB)": lambda r, p: r["APIHandler"]["Properties"]["MemorySize"],
    "relay memory (MB)": lambda r, p: r["SyncRelay"]["Properties"]["MemorySize"],
    "worker memory (MB)": lambda r, p: r["SyncWorker"]["Properties"]["MemorySize"],
    "sweeper memory (MB)": lambda r, p: r["SyncSweeper"]["Properties"]["MemorySize"],
    "CDC sweep memory (MB)": lambda r, p: r["SyncCdcSweep"]["Properties"]["MemorySize"],
    "sweeper rate": lambda r, p: _schedule(r, "SyncSweeper"),
    "CDC sweep rate": lambda r, p: _schedule(r, "SyncCdcSweep"),
}


def readme_settings() -> dict[str, str]:
    """The table under README's "## Deploy settings": first column → the `value` in its second column."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Deploy settings", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return {cells[0][2:].strip(): re.fullmatch(r"`([^`]*)`.*", cells[1].strip()).group(1) for cells in rows[1:]}


def test_every_tabled_setting_is_what_the_template_says(template):
    tabled = readme_settings()
    assert set(tabled) == set(SETTINGS)  # a row for each checked setting, and a check for each row
    found = {name: str(read(template["Resources"], template["Parameters"])) for name, read in SETTINGS.items()}
    assert found == tabled


def test_settings_that_depend_on_each_other_keep_their_relation(template):
    from chalicelib.services.sync.push import PUSH_LEASE_SECONDS
    from devstack import pump

    r = template["Resources"]
    worker = r["SyncWorker"]["Properties"]
    # AWS: the queue's visibility timeout at least six times the function's timeout (no redelivery while in work)
    assert r["SyncQueue"]["Properties"]["VisibilityTimeout"] == 6 * worker["Timeout"]
    assert worker["Timeout"] < PUSH_LEASE_SECONDS  # a run the timeout ends has given its account's lease back
    # one setting: reserved concurrency and the event source's maximum concurrency (no throttled receives)
    assert worker["ReservedConcurrentExecutions"] == {"Ref": "SyncWorkerConcurrency"}
    assert _worker_source(r)["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "SyncWorkerConcurrency"}}
    # the worker notes a dead letter on the receive the queue counts as its last
    assert worker["Environment"]["Variables"]["SYNC_MAX_RECEIVE_COUNT"] == str(
        r["SyncQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"])
    # the local event source mappings batch as the deployed ones do
    assert (pump.RELAY_BATCH_SIZE, pump.RELAY_BATCHING_WINDOW, pump.WORKER_BATCH_SIZE) == (
        _relay_source(r)["BatchSize"], _relay_source(r).get("MaximumBatchingWindowInSeconds", 0),
        _worker_source(r)["BatchSize"])


def test_the_cost_bench_prices_the_memory_the_template_deploys(template):
    """bench/cost.py reads memory from .chalice/config.json; the packaged functions carry the same."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from cost_prices import configured_memory_mb
    finally:
        sys.path.remove(str(ROOT / "bench"))
    names = {"api": "APIHandler", "relay": "SyncRelay", "worker": "SyncWorker", "sweeper": "SyncSweeper",
             "cdc_sweep": "SyncCdcSweep"}
    memory = configured_memory_mb()
    assert {name: memory[name] for name in names} == {
        name: template["Resources"][resource]["Properties"]["MemorySize"] for name, resource in names.items()}
