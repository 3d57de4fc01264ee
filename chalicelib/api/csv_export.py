"""The one way an answer becomes CSV: every cell quoted and neutralised (OWASP CSV injection), one Response shape.

Every `Accept: text/csv` route writes through `csv_response`, so no route can forget the rule: a customer named
`=1+2 Formula Foods` reaches a spreadsheet as text, never as a formula.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from chalice import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: NULs dropped, formula starts behind a `'`.

    A leading `'` is what OWASP recommends: spreadsheets then treat the cell as text; our own amounts are never
    negative, so no number of ours is touched.
    """
    text = "" if value is None else str(value).replace("\0", "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def wants_csv(headers: dict[str, str]) -> bool:
    return "text/csv" in headers.get("accept", "")


def csv_response(columns: Sequence[str], rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A download of `rows` under `columns` (rows may be a generator that reads page after page)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return Response(body=out.getvalue(), status_code=200,
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="{filename}"'})
