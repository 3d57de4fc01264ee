"""The /_control API: companies, clients, books edits as a QBO user, clock, faults, limits, webhooks."""
from __future__ import annotations

from decimal import Decimal

from .api import Reply, fault_reply, json_reply, settings_id, write
from .books import entity_name
from .clock import iso, parse_iso
from .faults import QboFault
from .money import loads
from .oauth import UnknownClientError
from .state import EmulatorState


def handle(state: EmulatorState, method: str, parts: list[str], body: bytes) -> Reply:
    """Serve one control request; parts are the path segments after /_control."""
    try:
        data = loads(body) if body else {}
        if "objects" not in parts:
            data = {k: float(v) if isinstance(v, Decimal) else v for k, v in data.items()}
        return _route(state, method, parts, data)
    except QboFault as err:
        return fault_reply(err, None)
    except (ValueError, KeyError, TypeError) as err:
        return json_reply(400, {"error": f"{type(err).__name__}: {err}"})


def _route(state: EmulatorState, method: str, parts: list[str], data: dict) -> Reply:
    if parts == ["reset"] and method == "POST":
        state.reset()
        return json_reply(200, {"ok": True})
    if parts == ["companies"] and method == "POST":
        return json_reply(200, state.create_company(**data))
    if parts == ["webhooks", "flush"] and method == "POST":
        return json_reply(200, {"scheduled": state.webhooks.flush(data.get("client_id"))})
    if parts == ["webhooks", "log"] and method == "GET":
        return json_reply(200, {"delivered": list(state.webhooks.delivered)})
    if len(parts) == 2 and parts[0] == "clients":
        return _client(state, method, parts[1], data)
    if len(parts) == 3 and parts[0] == "clients" and parts[2] == "webhooks" and method == "POST":
        cfg = state.webhooks.configure(parts[1], data)
        return json_reply(200, dict(cfg.__dict__))
    if len(parts) < 3 or parts[0] != "companies":
        return json_reply(404, {"error": f"unknown control path /{'/'.join(parts)}"})
    company = state.companies[parts[1]]
    action, rest = parts[2], parts[3:]
    if action == "books" and method == "GET":
        return json_reply(200, company.books.dump())
    if action == "stats" and method == "GET":
        return json_reply(200, dict(company.stats))
    if action == "auth-code" and method == "POST":
        return json_reply(200, {"code": state.oauth.new_code(company.client_id, company.realm_id)})
    if action == "clock":
        if "set" in data:
            company.clock.set(parse_iso(data["set"]))
        if "advance" in data:
            company.clock.advance(float(data["advance"]))
        if "freeze" in data:
            company.clock.freeze(bool(data["freeze"]))
        return json_reply(200, {"now": iso(company.clock.now())})
    if action == "faults" and method == "POST":
        company.faults.update(data)
        return json_reply(200, company.faults.public())
    if action == "limits" and method == "POST":
        for key, value in data.items():
            if not hasattr(company.limiter.config, key):
                raise ValueError(f"unknown limit {key}")
            setattr(company.limiter.config, key, value)
        company.limiter.reset()
        return json_reply(200, dict(company.limiter.config.__dict__))
    if action == "objects":
        return _user_edit(state, company, method, rest, data)
    return json_reply(404, {"error": f"unknown control path /{'/'.join(parts)}"})


def _client(state: EmulatorState, method: str, client_id: str, data: dict) -> Reply:
    """`GET clients/<id>`: the client; `POST clients/<id> {"redirect_uris": [...]}` registers redirect URIs."""
    try:
        if method == "GET":
            return json_reply(200, state.oauth.client(client_id))
        if method == "POST":
            unknown = set(data) - {"redirect_uris"}
            if unknown:
                raise ValueError(f"unknown client setting(s) {sorted(unknown)}")
            return json_reply(200, state.oauth.register_redirect_uris(client_id, data.get("redirect_uris", [])))
    except UnknownClientError:
        return json_reply(404, {"error": f"no OAuth client {client_id}; POST /_control/companies creates one"})
    return json_reply(405, {"error": "method not allowed"})


def _user_edit(state: EmulatorState, company, method: str, rest: list[str], data: dict) -> Reply:
    """Changes as an accountant would make them in QBO: no SyncToken needed, webhooks fire. Deleting a customer
    makes it inactive, as QBO's "Make inactive" (its UI deletes no customer either)."""
    entity = entity_name(rest[0])
    books = company.books
    if len(rest) == 1 and method == "POST":
        obj, op = write(company, entity, {}, {k: v for k, v in data.items() if k not in ("Id", "SyncToken")})
    elif len(rest) >= 2:
        current = books.read(entity, settings_id(company, entity, rest[1]))
        base = {"Id": current["Id"], "SyncToken": current["SyncToken"]}
        if method == "DELETE" and entity == "Customer":
            obj, op = write(company, entity, {}, {"Active": False, **base, "sparse": True})
        elif method == "DELETE":
            obj, op = write(company, entity, {"operation": "delete"}, base)
        elif len(rest) == 3 and rest[2] == "void" and method == "POST":
            obj, op = write(company, entity, {"operation": "void"}, base)
        elif method == "POST":
            obj, op = write(company, entity, {}, {**data, **base, "sparse": True})
        else:
            return json_reply(405, {"error": "method not allowed"})
    else:
        return json_reply(405, {"error": "method not allowed"})
    state.record_change(company, entity, obj["Id"], op, from_api=False)
    return json_reply(200, {entity: obj})
