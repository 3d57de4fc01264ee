"""Credit aging: open credit grouped by source and by how many days old it is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

BUCKETS = ("0-30", "31-60", "61-90", "90+")


def bucket_of(age_days: int) -> str:
    """0–30, 31–60, 61–90 days, then everything older than 90."""
    if age_days <= 30:
        return BUCKETS[0]
    if age_days <= 60:
        return BUCKETS[1]
    if age_days <= 90:
        return BUCKETS[2]
    return BUCKETS[3]


@dataclass(frozen=True)
class OpenCredit:
    customer_id: str
    source: str
    created_on: date
    remaining: int


@dataclass
class AgingRow:
    """Open credit of one customer (or of everyone), in cents per source and bucket."""

    cells: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, source: str, bucket: str, cents: int) -> None:
        per_source = self.cells.setdefault(source, dict.fromkeys(BUCKETS, 0))
        per_source[bucket] += cents

    @property
    def buckets(self) -> dict[str, int]:
        return {b: sum(s[b] for s in self.cells.values()) for b in BUCKETS}

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    customers: dict[str, AgingRow]
    total: AgingRow


def aging(credits: list[OpenCredit], as_of: date) -> AgingReport:
    """Bucket every credit with something left by its age on `as_of` (a credit from the future counts as 0 days)."""
    customers: dict[str, AgingRow] = {}
    total = AgingRow()
    for credit in credits:
        if credit.remaining <= 0:
            continue
        bucket = bucket_of(max(0, (as_of - credit.created_on).days))
        customers.setdefault(credit.customer_id, AgingRow()).add(credit.source, bucket, credit.remaining)
        total.add(credit.source, bucket, credit.remaining)
    return AgingReport(as_of, dict(sorted(customers.items())), total)
