"""The /v3/company/<realm>/... accounting API: auth, limits, injected faults, replay, entities, query, batch, CDC."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from . import documents, faults, query
from .books import ENTITIES, entity_name
from .clock import iso, parse_iso
from .money import dumps, loads
from .state import Company, EmulatorState

MAX_BATCH = 30


@dataclass
class Reply:
    """What the HTTP layer writes back (or drops, for drop-after-commit)."""

    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: dict) -> Reply:
    """Reply with a JSON body (Decimals as numbers)."""
    return Reply(status, dumps(payload).encode())


def fault_reply(err: faults.QboFault, company: Company | None, xml: bool = False) -> Reply:
    """Fault body as JSON (or XML, as QBO sometimes does for throttles)."""
    now = iso(company.clock.now()) if company else ""
    if xml:
        return Reply(err.status, faults.fault_xml(err, now), "application/xml")
    return json_reply(err.status, {"Fault": err.fault(), "time": now})


def handle(state: EmulatorState, method: str, realm: str, parts: list[str], params: dict[str, str],
           body: bytes, headers: dict[str, str]) -> Reply:
    """Serve one API request end to end."""
    company = state.companies.get(realm)
    token = (headers.get("authorization") or "").removeprefix("Bearer ").strip()
    if company is None or state.oauth.check_access(token, realm) is None:
        return fault_reply(faults.auth_failed(), company)
    with company.lock:
        company.stats["requests"] += 1
    plan = company.faults
    is_batch = parts[:1] == ["batch"]
    if not company.limiter.acquire(company.clock.timestamp(), is_batch):
        return _count(company, fault_reply(faults.throttled(), company, plan.throttle_xml))
    if is_batch:
        with company.lock:
            company.stats["batch_requests"] += 1  # batches the limits let through (benches compute floors from it)
    try:
        with company.lock:
            throttle = plan.throttle_next > 0 or (plan.throttle_fraction > 0 and plan._rng.random() < plan.throttle_fraction)
            plan.throttle_next = max(0, plan.throttle_next - 1)
            fail = plan.fail_next > 0
            plan.fail_next = max(0, plan.fail_next - 1)
        if throttle:
            return _count(company, fault_reply(faults.throttled(), company, plan.throttle_xml))
        if fail:
            return _count(company, fault_reply(faults.server_error(plan.fail_status), company))
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000)
        request_id = params.get("requestid") if method == "POST" else None
        if request_id:
            with company.lock:
                cached = company.replay.get(request_id)
            if cached is not None:
                company.stats["replayed"] += 1
                return _count(company, Reply(cached.status, cached.body, cached.content_type))
        try:
            reply = _dispatch(state, company, method, parts, params, body, headers)
        except faults.QboFault as err:
            reply = fault_reply(err, company)
        if request_id:
            with company.lock:
                company.replay[request_id] = reply
        if method == "POST" and reply.status == 200:
            with company.lock:
                if plan.drop_after_commit_next > 0:
                    plan.drop_after_commit_next -= 1
                    reply = Reply(reply.status, reply.body, reply.content_type, drop=True)
        return _count(company, reply)
    finally:
        company.limiter.release()


def _count(company: Company, reply: Reply) -> Reply:
    with company.lock:
        company.stats[f"status_{reply.status}"] += 1
    return reply


def _parse_json(body: bytes) -> dict:
    try:
        data = loads(body or b"{}")
    except ValueError:
        raise faults.bad_request("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise faults.bad_request("Request body must be a JSON object")
    return data


def _dispatch(state: EmulatorState, company: Company, method: str, parts: list[str], params: dict[str, str],
              body: bytes, headers: dict[str, str]) -> Reply:
    now = iso(company.clock.now())
    head = parts[0].lower() if parts else ""
    links = "invoicelink" in (params.get("include") or "").lower().split(",")
    if head == "query":
        text = params.get("query") if method == "GET" else body.decode("utf-8", "replace")
        answer = run_query(company, text or "")
        return json_reply(200, {"QueryResponse": _linked(company, answer, links), "time": now})
    if head == "batch" and method == "POST":
        return json_reply(200, {"BatchItemResponse": run_batch(state, company, _parse_json(body)), "time": now})
    if head == "cdc" and method == "GET":
        return json_reply(200, {"CDCResponse": [{"QueryResponse": run_cdc(company, params)}], "time": now})
    entity = entity_name(head)
    if method == "GET" and (len(parts) == 2 or entity == "Preferences" and len(parts) == 1):
        obj = company.books.read(entity, settings_id(company, entity, parts[1] if len(parts) == 2 else "1"))
        return json_reply(200, _linked(company, {entity: obj, "time": now}, links))
    if method != "POST" or len(parts) != 1:
        raise faults.bad_request(f"Unsupported {method} /{'/'.join(parts)}")
    obj, operation = write(company, entity, params, _parse_json(body))
    state.record_change(company, entity, obj["Id"], operation, from_api=True)
    return json_reply(200, {entity: obj, "time": now})


def _linked(company: Company, payload: dict, links: bool) -> dict:
    """`include=invoiceLink`: invoices in the answer carry their sharable link where QBO would give one."""
    return documents.with_invoice_links(company.realm_id, payload) if links else payload


def settings_id(company: Company, entity: str, obj_id: str) -> str:
    """CompanyInfo is read as /companyinfo/<realmId> (its Id is "1"); any other id stays as it is."""
    return "1" if entity == "CompanyInfo" and obj_id == company.realm_id else obj_id


def write(company: Company, entity: str, params: dict[str, str], data: dict,
          visible_max_id: int | None = None) -> tuple[dict, str]:
    """Create, update, delete or void according to the URL operation and the body."""
    operation = (params.get("operation") or "").lower()
    include = (params.get("include") or "").lower()
    books = company.books
    if operation == "delete":
        return books.delete(entity, data)
    if operation == "void" or (operation == "update" and include == "void"):
        return books.void(entity, data)
    if data.get("Id") not in (None, "", 0, "0"):
        return books.update(entity, data, bool(data.get("sparse")), visible_max_id)
    return books.create(entity, data, visible_max_id)


def run_query(company: Company, text: str) -> dict:
    """Evaluate query text against the realm's books."""
    if not isinstance(text, str):
        raise faults.query_error("the query must be text")
    parsed = query.parse(text)
    return query.run(parsed, company.books.all(parsed.entity))


def run_batch(state: EmulatorState, company: Company, data: dict) -> list[dict]:
    """Execute up to 30 items; each answers with its entity or its own Fault."""
    items = data.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise faults.bad_request("BatchItemRequest must be a non-empty list")
    if len(items) > MAX_BATCH:
        raise faults.batch_too_large(len(items), MAX_BATCH)
    visible = company.books.max_id()
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise faults.bad_request("Each BatchItemRequest item must be an object")
        bid = item.get("bId")
        try:
            if "Query" in item:
                out.append({"bId": bid, "QueryResponse": run_query(company, item["Query"])})
                continue
            keys = [k for k in item if k in ENTITIES.values()]
            if len(keys) != 1:
                raise faults.bad_request("Batch item needs exactly one supported entity")
            entity, op = keys[0], str(item.get("operation") or "create").lower()
            if op not in ("create", "update", "delete"):
                raise faults.bad_request(f"Unsupported batch operation {op}")
            body = item[entity]
            if not isinstance(body, dict):
                raise faults.bad_request(f"Batch item {entity} must be an object")
            if op == "create":
                body = {k: v for k, v in body.items() if k not in ("Id", "SyncToken")}
            obj, operation = write(company, entity, {"operation": "delete"} if op == "delete" else {},
                                   body, visible_max_id=visible)
            state.record_change(company, entity, obj["Id"], operation, from_api=True)
            out.append({"bId": bid, entity: obj})
        except faults.QboFault as err:
            out.append({"bId": bid, "Fault": err.fault()})
    return out


def run_cdc(company: Company, params: dict[str, str]) -> list[dict]:
    """Objects of the listed entities changed (or deleted) since `changedSince`."""
    try:
        since = parse_iso(params.get("changedSince", ""))
    except ValueError:
        raise faults.bad_request("changedSince must be an ISO timestamp") from None
    now = company.clock.now()
    if since < now - timedelta(days=30):
        raise faults.bad_request("changedSince cannot be more than 30 days ago")
    since = since.replace(microsecond=0)
    out = []
    for name in filter(None, (params.get("entities") or "").split(",")):
        entity = entity_name(name.strip())
        changed = [o for o in company.books.all(entity) + company.books.deleted(entity)
                   if parse_iso(o["MetaData"]["LastUpdatedTime"]) >= since][:1000]
        out.append({entity: changed, "startPosition": 1, "maxResults": len(changed)})
    return out


__all__ = ["Reply", "handle", "write", "Decimal"]
