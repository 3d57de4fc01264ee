"""The QBO query-language subset: SELECT * | count(*) | col, ... FROM X [WHERE ...] [ORDERBY f] [STARTPOSITION n]
[MAXRESULTS m]. WHERE may name only the entity's filterable properties (4001 otherwise); name lists (Customer, Item,
...) answer their active objects unless the WHERE clause says something about Active."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import faults
from .books import ENTITIES
from .catalog import NAME_LISTS, filterable, is_qbo_entity
from .clock import parse_iso

_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|\\.|'')*')|(<=|>=|!=|<>|=|<|>|\(|\)|,)|(count\(\*\)|\*)|([A-Za-z0-9_.:+\-]+))",
                    re.IGNORECASE)
_OPS = {"=", "<", ">", "<=", ">=", "!=", "<>", "IN", "LIKE"}


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


class _Reader:
    """The query's tokens with a cursor."""

    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def take(self, kind: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise faults.query_error("unexpected end of query")
        tok = self.toks[self.i]
        if kind and tok[0] != kind:
            raise faults.query_error(f"expected {kind} near {tok[1]!r}")
        self.i += 1
        return tok

    def peek_word(self) -> str:
        return self.toks[self.i][1].upper() if self.more() and self.toks[self.i][0] == "word" else ""

    def comma(self) -> bool:
        """Consume a comma if one comes next."""
        if self.more() and self.toks[self.i] == ("op", ","):
            self.i += 1
            return True
        return False

    def more(self) -> bool:
        return self.i < len(self.toks)


def parse(text: str) -> Query:
    """Parse query text or raise QBO's fault: 4000 when it does not parse, 4001 when it names what QBO cannot
    query, 2500 for an entity QBO has and the emulator does not model."""
    r = _Reader(text)
    if r.take("word")[1].upper() != "SELECT":
        raise faults.query_error("query must start with SELECT")
    sel = r.take()
    columns: list[str] | None = None
    if sel[0] == "word":  # a column list: SELECT Id, DisplayName FROM Customer
        columns = [sel[1]]
        while r.comma():
            columns.append(r.take("word")[1])
    elif sel[0] != "sel":
        raise faults.query_error("expected *, count(*) or a column list after SELECT")
    elif sel[1] == "*":  # `SELECT *, Sku FROM Item` (python-quickbooks' Item.all): extra columns add nothing to *
        while r.comma():
            r.take("word")
    if r.take("word")[1].upper() != "FROM":
        raise faults.query_error("expected FROM")
    q = Query(entity=_entity(r.take("word")[1]), count=sel == ("sel", "count(*)"), columns=columns)
    if r.peek_word() == "WHERE":
        r.take()
        _where(r, q)
    _paging(r, q)
    return q


def _entity(name: str) -> str:
    if name.lower() in ENTITIES:
        return ENTITIES[name.lower()]
    if is_qbo_entity(name):
        raise faults.bad_request(f"Unsupported entity {name}: the emulator does not model it")
    raise faults.query_invalid(f"Metadata not found for Entity: {name}")


def _where(r: _Reader, q: Query) -> None:
    """Conditions joined by AND, each on a filterable property."""
    while True:
        fld = r.take("word")[1]
        if not filterable(q.entity, fld):
            raise faults.query_invalid(f"property '{fld}' is not queryable")
        op_tok = r.take()
        op = op_tok[1].upper()
        if op not in _OPS:
            raise faults.query_error(f"unknown operator {op_tok[1]}")
        if op == "IN":
            r.take("op")
            values = [r.take()[1]]
            while r.take("op")[1] != ")":
                values.append(r.take()[1])
            q.where.append((fld, op, values))
        else:
            q.where.append((fld, op, r.take()[1]))
        if r.peek_word() != "AND":
            return
        r.take()


def _paging(r: _Reader, q: Query) -> None:
    """ORDERBY (or ORDER BY) f [ASC|DESC], STARTPOSITION n, MAXRESULTS m, in any order."""
    while r.more():
        word = r.take("word")[1].upper()
        if word in ("ORDERBY", "ORDER"):
            if word == "ORDER" and r.take("word")[1].upper() != "BY":
                raise faults.query_error("expected BY")
            q.order_by = r.take("word")[1]
            if r.peek_word() in ("ASC", "DESC"):
                q.descending = r.take()[1].upper() == "DESC"
        elif word == "STARTPOSITION":
            q.start = max(1, _integer(r.take("word")[1], word))
        elif word == "MAXRESULTS":
            q.max_results = min(1000, max(1, _integer(r.take("word")[1], word)))
        else:
            raise faults.query_error(f"unexpected {word}")


def _integer(text: str, clause: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise faults.query_error(f"{clause} needs a whole number, not {text!r}")
    return int(text)


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
    if q.entity in NAME_LISTS and not any(fld.lower() == "active" for fld, _, _ in q.where):
        objects = [o for o in objects if o.get("Active") is not False]  # QBO: inactive ones only when asked
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
