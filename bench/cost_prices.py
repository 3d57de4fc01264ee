"""AWS list prices (us-east-1) bench/cost.py prices with, and the monthly bill they make of a measured profile.

Prices as published on AWS's pricing pages for us-east-1, on-demand, x86, no free tier, as of PRICE_LIST_DATE (not
fetched at run time: nothing here reaches the internet). Re-check them before quoting a customer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PRICE_LIST_DATE = "2025-06 (DynamoDB on-demand after the 2024-11-01 price cut)"
MILLION = 1_000_000
PRICES = {
    "dynamodb_wru": 0.625 / MILLION,  # on-demand write request unit
    "dynamodb_rru": 0.125 / MILLION,  # on-demand read request unit
    "dynamodb_storage_gb_month": 0.25,  # table + GSI storage (first 25 GB free: not applied)
    "dynamodb_pitr_gb_month": 0.20,  # continuous backups (PointInTimeRecoveryEnabled in the template)
    "streams_read_request": 0.02 / 100_000,  # GetRecords by non-Lambda readers; Lambda triggers read for free
    "sqs_fifo_request": 0.50 / MILLION,  # per 64 KB chunk of a request (a batch of 10 small messages is one)
    "lambda_request": 0.20 / MILLION,
    "lambda_gb_second": 0.0000166667,  # x86, first 6 billion GB-s tier
    "api_gateway_rest_request": 3.50 / MILLION,  # REST API (chalice package makes one), first 333 million
    "logs_ingested_gb": 0.50,  # CloudWatch Logs standard ingestion
    "logs_stored_gb_month": 0.03,
    "kms_key_month": 1.00,  # the QBO token key (TokenKey)
    "kms_request": 0.03 / 10_000,
    "cloudwatch_alarm_metric_month": 0.10,  # standard resolution, per metric an alarm reads
    "cloudwatch_custom_metric_month": 0.30,  # first 10,000 metrics
}
MONTH_MINUTES = 30 * 24 * 60
# what the template holds that costs per month whatever the traffic (deploy/resources.json, observability.py)
ALARM_METRICS = 1 + 2 + 1  # SyncDeadLetterAlarm, SyncErrorRateAlarm (2 metrics), Api5xxAlarm
CUSTOM_METRICS = 7  # PaymentsReceived, CreditsApplied, CreditsAppliedCents, SyncPushed, SyncFailed, SyncLatency, QboThrottled
# Lambda's SQS event source mapping long-polls the queue while idle: 5 pollers, 20 s polls (AWS's documented
# behaviour for SQS sources; not measurable here). Empty receives are billed requests.
ESM_IDLE_RECEIVES_PER_MONTH = 5 * 3 * MONTH_MINUTES


# bench/cost.py's names of what it meters → the Chalice function whose memory prices it
CHALICE_NAMES = {"api": "api_handler", "relay": "sync_relay", "worker": "sync_worker", "worker-pull": "sync_worker",
                 "sweeper": "sync_sweeper", "cdc_sweep": "sync_cdc_sweep"}


def configured_memory_mb(stage: str = "prod") -> dict[str, int]:
    """Each function's memory as `chalice package --stage prod` sets it (stage default, per-function overrides)."""
    config = json.loads((Path(__file__).resolve().parent.parent / ".chalice" / "config.json").read_text())
    stage_config = config["stages"][stage]
    default = stage_config.get("lambda_memory_size", config.get("lambda_memory_size", 128))
    functions = stage_config.get("lambda_functions", {})
    return {name: functions.get(chalice, {}).get("lambda_memory_size", default)
            for name, chalice in CHALICE_NAMES.items()}


@dataclass
class Usage:
    """Billable quantities for one month (or for 1,000 operations)."""

    wru: float = 0.0
    rru: float = 0.0
    sqs_requests: float = 0.0
    lambda_invocations: float = 0.0
    gb_seconds: float = 0.0
    api_requests: float = 0.0
    log_bytes: float = 0.0
    kms_requests: float = 0.0
    qbo_requests: float = 0.0  # free, but within 500/min per realm

    def scaled(self, factor: float) -> "Usage":
        return Usage(**{k: v * factor for k, v in vars(self).items()})

    def plus(self, other: "Usage") -> "Usage":
        return Usage(**{k: v + getattr(other, k) for k, v in vars(self).items()})


def dollars(usage: Usage) -> dict[str, float]:
    """The bill of `usage`, by service."""
    return {
        "DynamoDB": usage.wru * PRICES["dynamodb_wru"] + usage.rru * PRICES["dynamodb_rru"],
        "SQS": usage.sqs_requests * PRICES["sqs_fifo_request"],
        "Lambda": usage.lambda_invocations * PRICES["lambda_request"] + usage.gb_seconds * PRICES["lambda_gb_second"],
        "API Gateway": usage.api_requests * PRICES["api_gateway_rest_request"],
        "CloudWatch Logs": usage.log_bytes / 1e9 * PRICES["logs_ingested_gb"],
        "KMS": usage.kms_requests * PRICES["kms_request"],
    }


def fixed_dollars() -> dict[str, float]:
    """What the stack costs per month with no traffic beyond its schedules (those are measured: see cost.py)."""
    return {
        "KMS key": PRICES["kms_key_month"],
        "CloudWatch alarms": ALARM_METRICS * PRICES["cloudwatch_alarm_metric_month"],
        "custom metrics": CUSTOM_METRICS * PRICES["cloudwatch_custom_metric_month"],
        "SQS idle polling": ESM_IDLE_RECEIVES_PER_MONTH * PRICES["sqs_fifo_request"],
    }


def storage_dollars(stored_bytes: float) -> float:
    """DynamoDB storage and PITR for `stored_bytes` of table + indexes, per month."""
    return stored_bytes / 2**30 * (PRICES["dynamodb_storage_gb_month"] + PRICES["dynamodb_pitr_gb_month"])
