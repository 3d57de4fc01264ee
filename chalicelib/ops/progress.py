"""Follow a lifecycle job (re-sync, hard disconnect, background parity check) until it stops running, with a live
progress bar on stderr when stderr is a terminal; stdout stays free for the result."""
from __future__ import annotations

import time
from typing import Callable

from .errors import Interrupted

pause: Callable[[float], None] = time.sleep  # the wait between polls (tests run a worker step here instead)


def completed(job: dict) -> int:
    """Objects the job has finished with, successfully or not."""
    return int(job.get("done") or 0) + int(job.get("failed") or 0)


def follow(fetch: Callable[[], dict], *, label: str, interval: float, first: dict | None = None,
           hint: str = "") -> dict:
    """Poll `fetch` every `interval` seconds while the job's status is `running`; the last answer. Ctrl-C stops
    following (the job goes on) and says how to pick it up again (`hint`)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    job = first if first is not None else fetch()
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=_total(job), completed=completed(job), note=_note(job))
        try:
            while job.get("status") == "running":
                pause(interval)
                job = fetch()
                if "done" in job:
                    bar.update(task, total=_total(job), completed=completed(job), note=_note(job))
                else:  # what a finished check answers instead of progress: its report
                    bar.update(task, completed=bar.tasks[0].total or 1, total=bar.tasks[0].total or 1)
        except KeyboardInterrupt:
            raise Interrupted(f"stopped following; the job goes on{hint}", details={"job": job}) from None
    return job


def _total(job: dict) -> int | None:
    total = int(job.get("total") or 0)
    return max(total, completed(job)) or None


def _note(job: dict) -> str:
    failed = int(job.get("failed") or 0)
    return f"{failed} failed" if failed else ""
