"""The QBO query-language subset: SELECT * | count(*) | col, ... FROM X [WHERE ...] [ORDERBY f] [STARTPOSITION n]
[MAXRESULTS m]."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import faults
from .books import ENTITIES
from .clock import parse_iso

_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|\\.|'')*')|(<=|>=|!=|<>|=|<|>|\(|\)|,)|(count\(\*\)|\*)|([A-Za-z0-9_.:+\-]+))",
                    re.IGNORECASE)
_OPS = {"=", "<", ">", "<=", ">=", "!=", "<>", "IN", "LIKE"}
_NOT_FILTERABLE = {"unappliedamt"}


@dataclass
class Query:
    """A parsed query."""

    entity: str
    count: bool = False
    columns: list[str] | None = None  # None: every field (SELECT *)
    where: list[tuple[str, str, Any]] = field(default_factory=list)
    order_by: str | None = None
    descending: bool = False
    start: int = 1
    max_results: int = 100


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip().rstrip(";")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise faults.query_error(f"unexpected text at {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group(1) is not None:
            out.append(("str", m.group(1)[1:-1].replace("\\'", "'").replace("''", "'")))
        elif m.group(2) is not None:
            out.append(("op", m.group(2)))
        elif m.group(3) is not None:
            out.append(("sel", m.group(3).lower()))
        else:
            out.append(("word", m.group(4)))
    return out


def parse(text: str) -> Query:
    """Parse query text or raise a 4000 fault."""
    toks = _tokens(text)
    i = 0

    def take(kind: str | None = None) -> tuple[str, str]:
        nonlocal i
        if i >= len(toks):
            raise faults.query_error("unexpected end of query")
        tok = toks[i]
        if kind and tok[0] != kind:
            raise faults.query_error(f"expected {kind} near {tok[1]!r}")
        i += 1
        return tok

    def peek_word() -> str:
        return toks[i][1].upper() if i < len(toks) and toks[i][0] == "word" else ""

    if take("word")[1].upper() != "SELECT":
        raise faults.query_error("query must start with SELECT")
    sel = take()
    columns: list[str] | None = None
    if sel[0] == "word":  # a column list: SELECT Id, DisplayName FROM Customer
        columns = [sel[1]]
        while i < len(toks) and toks[i] == ("op", ","):
            i += 1
            columns.append(take("word")[1])
    elif sel[0] != "sel":
        raise faults.query_error("expected *, count(*) or a column list after SELECT")
    elif sel[1] == "*":  # `SELECT *, Sku FROM Item` (python-quickbooks' Item.all): extra columns add nothing to *
        while i < len(toks) and toks[i] == ("op", ","):
            i += 1
            take("word")
    if take("word")[1].upper() != "FROM":
        raise faults.query_error("expected FROM")
    name = take("word")[1]
    if name.lower() not in ENTITIES:
        raise faults.query_error(f"unknown entity {name}")
    q = Query(entity=ENTITIES[name.lower()], count=sel == ("sel", "count(*)"), columns=columns)
    if peek_word() == "WHERE":
        i += 1
        while True:
            fld = take("word")[1]
            if fld.lower() in _NOT_FILTERABLE:
                raise faults.query_error(f"property {fld} is not queryable")
            op_tok = take()
            op = op_tok[1].upper()
            if op not in _OPS:
                raise faults.query_error(f"unknown operator {op_tok[1]}")
            if op == "IN":
                take("op")
                values = []
                while True:
                    values.append(take()[1])
                    sep = take("op")[1]
                    if sep == ")":
                        break
                q.where.append((fld, op, values))
            else:
                q.where.append((fld, op, take()[1]))
            if peek_word() != "AND":
                break
            i += 1
    while i < len(toks):
        word = take("word")[1].upper()
        if word in ("ORDERBY", "ORDER"):
            if word == "ORDER" and take("word")[1].upper() != "BY":
                raise faults.query_error("expected BY")
            q.order_by = take("word")[1]
            if peek_word() in ("ASC", "DESC"):
                q.descending = take()[1].upper() == "DESC"
        elif word == "STARTPOSITION":
            q.start = max(1, int(take("word")[1]))
        elif word == "MAXRESULTS":
            q.max_results = min(1000, max(1, int(take("word")[1])))
        else:
            raise faults.query_error(f"unexpected {word}")
    return q


def _field(obj: dict, path: str) -> Any:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        match = next((k for k in value if k.lower() == part.lower()), None)
        value = value.get(match) if match else None
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return value


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    if left is None:
        return None, right
    if isinstance(left, bool):
        return left, str(right).lower() == "true"
    if isinstance(left, (Decimal, int)):
        try:
            return Decimal(left), Decimal(str(right))
        except InvalidOperation:
            return str(left), str(right)
    text = str(left)
    if re.fullmatch(r"\d+", text) and re.fullmatch(r"\d+", str(right)):
        return int(text), int(str(right))
    if re.match(r"\d{4}-\d{2}-\d{2}T", text) or re.match(r"\d{4}-\d{2}-\d{2}T", str(right)):
        try:
            return parse_iso(text), parse_iso(str(right))
        except ValueError:
            pass
    return text, str(right)


def _matches(obj: dict, cond: tuple[str, str, Any]) -> bool:
    fld, op, value = cond
    raw = _field(obj, fld)
    if op == "IN":
        return any(_matches(obj, (fld, "=", v)) for v in value)
    left, right = _coerce(raw, value)
    if left is None:
        return False
    if op == "LIKE":
        pattern = "^" + ".*".join(re.escape(p) for p in str(right).split("%")) + "$"
        return re.match(pattern, str(left), re.IGNORECASE) is not None
    try:
        return {"=": left == right, "!=": left != right, "<>": left != right, "<": left < right,
                ">": left > right, "<=": left <= right, ">=": left >= right}[op]
    except TypeError:
        return False


def run(q: Query, objects: list[dict]) -> dict:
    """Evaluate a parsed query over public object copies; returns the QueryResponse body."""
    rows = [o for o in objects if all(_matches(o, c) for c in q.where)]
    if q.count:
        return {"totalCount": len(rows)}
    if q.order_by:
        def key(o: dict) -> tuple:
            left, _ = _coerce(_field(o, q.order_by), "")
            return (left is None, left if left is not None else "")
        try:
            rows.sort(key=key, reverse=q.descending)
        except TypeError:
            rows.sort(key=lambda o: str(_field(o, q.order_by)), reverse=q.descending)
    page = rows[q.start - 1:q.start - 1 + q.max_results]
    if not page:
        return {}
    if q.columns is not None:
        page = [_project(o, q.columns) for o in page]
    return {q.entity: page, "startPosition": q.start, "maxResults": len(page)}


def _project(obj: dict, columns: list[str]) -> dict:
    """Only the selected columns (dotted paths keep their nesting), marked sparse.

    Which bookkeeping keys real QBO adds to a column query's rows is the emulator's guess: `domain` and
    `sparse: true`, nothing else.
    """
    out: dict[str, Any] = {"domain": obj.get("domain", "QBO"), "sparse": True}
    for column in columns:
        source, target = obj, out
        parts = column.split(".")
        for depth, part in enumerate(parts):
            if not isinstance(source, dict):
                break
            key = next((k for k in source if k.lower() == part.lower()), None)
            if key is None:
                break
            if depth == len(parts) - 1:
                target[key] = source[key]
            else:
                target = target.setdefault(key, {})
                source = source[key]
    return out
