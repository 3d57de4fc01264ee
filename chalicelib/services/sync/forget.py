"""Hard disconnect's worker: every QB ID, mapping, sync status and watermark of the account is cleared, page by
page, with progress (the guide: "all QuickBooks IDs are cleared from your credits and invoices")."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ...store import account_items
from ...store import jobs as job_store
from ...store.models import JobItem

PAGE = 100  # items read per query; their changes go out in one transaction
BUDGET = 50  # pages per step (one SQS message)


def step(job: JobItem, *, budget: int = BUDGET) -> bool:
    """Clear up to `budget` pages; answers whether work is left (the cursor is saved either way)."""
    account_id = job.pk.removeprefix("A#")
    for _ in range(budget):
        after = (job.cursor or {}).get("after")
        page = account_items.raw_page(account_id, after, PAGE)
        for attempt in range(5):
            try:
                account_items.forget_all(account_id, page.items)
                break
            except TransactWriteError:
                if attempt == 4:
                    raise  # the message is redelivered; the cursor still points before this page
                page = account_items.raw_page(account_id, after, PAGE)  # someone edited one of them: read again
        job.done = int(job.done or 0) + len(page.items)
        job.total = max(int(job.total or 0), job.done)  # items written since the count are swept too
        job.cursor = {"after": page.after}
        if page.after is None:
            job_store.finish(job, job_store.DONE)
            return False
        job_store.save(job)
    return True
