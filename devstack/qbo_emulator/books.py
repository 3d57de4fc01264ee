"""One company's books: Customer, Invoice, Payment, CreditMemo with QBO's derived balances and rules, plus the
read-only Account, Item and PaymentMethod a new company starts with and its CompanyInfo and Preferences."""
from __future__ import annotations

import copy
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

from . import documents, faults
from .catalog import MODELLED, SETTINGS, is_qbo_entity
from .clock import Clock, iso
from .money import line_amount, to_money
from .starter import DEFAULT_COMPANY_NAME, REFERENCE_ENTITIES, starter_objects

ENTITIES = MODELLED
TXN_ENTITIES = ("Invoice", "Payment", "CreditMemo")
# which entity a reference field points at; QBO fills the ref's `name` with that object's current name
REF_TARGETS = {"CustomerRef": "Customer", "ItemRef": "Item", "PaymentMethodRef": "PaymentMethod",
               "IncomeAccountRef": "Account", "ExpenseAccountRef": "Account", "AssetAccountRef": "Account",
               "DepositToAccountRef": "Account", "ARAccountRef": "Account"}
ZERO = Decimal("0.00")
_READ_ONLY = {"Id", "SyncToken", "MetaData", "sparse", "domain", "Balance", "BalanceWithJobs", "RemainingCredit",
              "UnappliedAmt", "LinkedTxn", "status", "time", "InvoiceLink"}


def entity_name(text: str) -> str:
    """Canonical entity name from any casing; 2500 for entities the emulator does not model."""
    name = ENTITIES.get(text.lower())
    if name is None:
        known = "" if is_qbo_entity(text) else " (QBO has no such entity either)"
        raise faults.bad_request(f"Unsupported entity {text}: the emulator does not model it{known}")
    return name


def _ref_id(ref: Any) -> str | None:
    if isinstance(ref, dict):
        value = ref.get("value")
        return None if value in (None, "") else str(value)
    if ref in (None, ""):
        return None
    return str(ref)


class Books:
    """In-memory objects of one realm; every change is validated on a copy and then swapped in."""

    def __init__(self, clock: Clock, company_name: str = DEFAULT_COMPANY_NAME) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {name: {} for name in ENTITIES.values()}
        self.tombstones: dict[str, dict[str, dict]] = {name: {} for name in ENTITIES.values()}
        self._next_id = 1
        now = iso(clock.now())
        for entity, bodies in starter_objects(company_name, self.today()).items():
            for body in bodies:
                self.objects[entity][body["Id"]] = {**body, "SyncToken": "0", "domain": "QBO", "sparse": False,
                                                    "MetaData": {"CreateTime": now, "LastUpdatedTime": now}}

    # ----- public operations -------------------------------------------------------------
    def today(self) -> str:
        """The company's current date by the emulator's clock (what QBO fills into TxnDate)."""
        return self.clock.now().date().isoformat()

    def read(self, entity: str, obj_id: str) -> dict:
        """Current copy of an object or 610."""
        with self.lock:
            obj = self.objects[entity].get(str(obj_id))
            if obj is None:
                raise faults.not_found(entity, str(obj_id))
            return self._present(obj)

    def create(self, entity: str, body: dict, visible_max_id: int | None = None) -> tuple[dict, str]:
        """Create an object; returns (object, webhook operation)."""
        _writable(entity, "create")
        if entity in SETTINGS:
            raise faults.unsupported_operation("Create")
        with self.lock:
            obj = {k: copy.deepcopy(v) for k, v in body.items() if k not in _READ_ONLY}
            obj_id = str(self._next_id)
            now = iso(self.clock.now())
            obj.update({"Id": obj_id, "SyncToken": "0", "domain": "QBO", "sparse": False,
                        "MetaData": {"CreateTime": now, "LastUpdatedTime": now}})
            self._normalize(entity, obj)
            self._commit({entity: {obj_id: obj}}, visible_max_id)
            self._next_id += 1
            return self.read(entity, obj_id), "Create"

    def update(self, entity: str, body: dict, sparse: bool, visible_max_id: int | None = None) -> tuple[dict, str]:
        """Full or sparse update with SyncToken check."""
        _writable(entity, "update")
        with self.lock:
            current = self._current_for_change(entity, body)
            if current.get("_voided") and entity == "Payment":
                raise faults.business("A voided payment cannot be changed")
            changes = {k: copy.deepcopy(v) for k, v in body.items() if k not in _READ_ONLY}
            if entity in SETTINGS:  # a settings update changes what it names and keeps the rest, sparse or not
                obj = _merged(current, changes)
            elif sparse:
                obj = copy.deepcopy(current)
                obj.update(changes)
            else:
                obj = changes
                obj["_voided"] = current.get("_voided", False)
            obj["Id"] = current["Id"]
            obj["domain"] = "QBO"
            obj["sparse"] = False
            obj["SyncToken"] = str(int(current["SyncToken"]) + 1)
            obj["MetaData"] = {"CreateTime": current["MetaData"]["CreateTime"],
                               "LastUpdatedTime": iso(self.clock.now())}
            if entity in TXN_ENTITIES:
                obj.setdefault("TxnDate", current.get("TxnDate"))  # a full update without it keeps the date
            if entity == "Customer":
                _check_deactivation(current, obj)
            self._normalize(entity, obj)
            self._commit({entity: {obj["Id"]: obj}}, visible_max_id)
            return self.read(entity, obj["Id"]), "Update"

    def delete(self, entity: str, body: dict) -> tuple[dict, str]:
        """Delete a transaction (needs the current SyncToken); leaves a tombstone for CDC. QBO deletes no
        Customer (a name list: make it inactive instead) and no settings object."""
        _writable(entity, "delete")
        if entity == "Customer" or entity in SETTINGS:
            raise faults.unsupported_operation("Delete")
        with self.lock:
            current = self._current_for_change(entity, body)
            if entity in ("Invoice", "CreditMemo") and self._active_links(current["Id"]):
                raise faults.business(f"{entity} {current['Id']} has linked payments; delete or void them first")
            candidate = self._candidate()
            del candidate[entity][current["Id"]]
            self._validate(candidate, None)
            self.objects = candidate
            now = iso(self.clock.now())
            self.tombstones[entity][current["Id"]] = {
                "Id": current["Id"], "status": "Deleted", "domain": "QBO",
                "MetaData": {"LastUpdatedTime": now},
            }
            return {"Id": current["Id"], "status": "Deleted", "domain": "QBO"}, "Delete"

    def void(self, entity: str, body: dict) -> tuple[dict, str]:
        """Void a Payment or an Invoice: amounts go to 0 and PrivateNote says Voided."""
        with self.lock:
            if entity not in ("Payment", "Invoice"):
                raise faults.bad_request(f"Operation void is not supported for {entity}")
            current = self._current_for_change(entity, body)
            if entity == "Invoice" and self._active_links(current["Id"]):
                raise faults.business(f"Invoice {current['Id']} has linked payments; delete or void them first")
            obj = copy.deepcopy(current)
            for line in obj.get("Line", []):
                line["Amount"] = ZERO
            obj["TotalAmt"] = ZERO
            note = obj.get("PrivateNote") or ""
            obj["PrivateNote"] = "Voided" + (f" - {note}" if note else "")
            obj["_voided"] = True
            obj["SyncToken"] = str(int(current["SyncToken"]) + 1)
            obj["MetaData"] = {"CreateTime": current["MetaData"]["CreateTime"],
                               "LastUpdatedTime": iso(self.clock.now())}
            self._commit({entity: {obj["Id"]: obj}}, None)
            return self.read(entity, obj["Id"]), "Void"

    def max_id(self) -> int:
        """Highest Id handed out so far (batch items cannot see later ones)."""
        with self.lock:
            return self._next_id - 1

    def dump(self) -> dict:
        """All objects and tombstones, for parity checks."""
        with self.lock:
            return {"objects": {e: [self._present(o) for o in objs.values()] for e, objs in self.objects.items()},
                    "deleted": {e: list(t.values()) for e, t in self.tombstones.items()}}

    def all(self, entity: str) -> list[dict]:
        """Public copies of every live object of one entity, in Id order."""
        with self.lock:
            return [self._present(o) for o in sorted(self.objects[entity].values(), key=lambda o: int(o["Id"]))]

    def deleted(self, entity: str) -> list[dict]:
        """Tombstones of one entity."""
        with self.lock:
            return [copy.deepcopy(t) for t in self.tombstones[entity].values()]

    # ----- internals ---------------------------------------------------------------------
    def _present(self, obj: dict) -> dict:
        """The object as the API shows it: no private keys, every known reference named after its target now."""
        public = {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
        self._name_refs(public)
        return public

    def _name_refs(self, node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                self._name_refs(child)
        elif isinstance(node, dict):
            for key, value in node.items():
                target = REF_TARGETS.get(key)
                if target and isinstance(value, dict) and (ref := _ref_id(value)) is not None:
                    found = self.objects[target].get(ref)
                    if found is not None:
                        value["name"] = _display_name(target, found)
                else:
                    self._name_refs(value)

    def _current_for_change(self, entity: str, body: dict) -> dict:
        obj_id = body.get("Id")
        if obj_id in (None, ""):
            raise faults.required("Id")
        current = self.objects[entity].get(str(obj_id))
        if current is None:
            raise faults.not_found(entity, str(obj_id))
        if "SyncToken" not in body or body["SyncToken"] in (None, ""):
            raise faults.required("SyncToken")
        if str(body["SyncToken"]) != current["SyncToken"]:
            raise faults.stale(entity, str(obj_id))
        return current

    def _active_links(self, txn_id: str) -> list[str]:
        return [p["Id"] for p in self.objects["Payment"].values()
                for line in p.get("Line", []) if to_money(line.get("Amount")) != ZERO
                for lt in line.get("LinkedTxn", [])[:1] if str(lt.get("TxnId")) == txn_id]

    def _candidate(self) -> dict[str, dict[str, dict]]:
        return {e: dict(objs) for e, objs in self.objects.items()}

    def _commit(self, changes: dict[str, dict[str, dict]], visible_max_id: int | None) -> None:
        candidate = self._candidate()
        for entity, objs in changes.items():
            candidate[entity].update(objs)
        self._validate(candidate, visible_max_id, touched=changes)
        self.objects = candidate

    def _normalize(self, entity: str, obj: dict) -> None:
        """Fill in what QBO derives: customer names and Active, a transaction's date, lines, subtotal, total."""
        if entity == "Customer":
            if not str(obj.get("DisplayName") or "").strip():
                raise faults.required("DisplayName")
            obj.setdefault("Active", True)
            obj["FullyQualifiedName"] = obj["DisplayName"]  # no sub-customers here: QBO derives it
            return
        if entity not in TXN_ENTITIES:
            return
        documents.default_txn_date(obj, self.today())
        lines = obj.get("Line") or []
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            raise faults.bad_request("Line must be a list of objects")
        if not all(_objects(line.get("LinkedTxn", [])) for line in lines):
            raise faults.bad_request("Line.LinkedTxn must be a list of objects")
        try:
            lines = documents.without_subtotals(lines)
            for n, line in enumerate(lines, start=1):
                line["Amount"] = to_money(line.get("Amount"), "Line.Amount")
                line.setdefault("Id", str(n))
                line.setdefault("LineNum", n)
                _check_line_amount(line)
            if entity == "Payment":
                obj["TotalAmt"] = to_money(obj.get("TotalAmt"), "TotalAmt")
            else:
                obj["TotalAmt"] = sum((-line["Amount"] if line.get("DetailType") == documents.DISCOUNT
                                       else line["Amount"] for line in lines), ZERO)
            obj["Line"] = documents.with_subtotal(lines) if entity in documents.SALES_FORMS else lines
        except ValueError as exc:
            raise faults.business(str(exc)) from exc

    def _validate(self, objs: dict[str, dict[str, dict]], visible_max_id: int | None,
                  touched: dict[str, dict[str, dict]] | None = None) -> None:
        """Recompute derived amounts on the candidate and enforce QBO's business rules."""
        applied_inv: dict[str, Decimal] = defaultdict(lambda: ZERO)
        applied_cm: dict[str, Decimal] = defaultdict(lambda: ZERO)
        links: dict[str, list[str]] = defaultdict(list)
        unapplied_by_pay: dict[str, Decimal] = {}
        touched = touched or {}

        def visible(obj_id: str) -> bool:
            return visible_max_id is None or not obj_id.isdigit() or int(obj_id) <= visible_max_id

        for cust in touched.get("Customer", {}).values():
            name = str(cust.get("DisplayName", "")).strip().lower()
            if any(o["Id"] != cust["Id"] and str(o.get("DisplayName", "")).strip().lower() == name
                   for o in objs["Customer"].values()):
                raise faults.QboFault(400, 6240, "Duplicate Name Exists Error",
                                      f"The name supplied already exists. : {cust.get('DisplayName')}")
        for entity in TXN_ENTITIES:
            for obj in objs[entity].values():
                is_touched = obj["Id"] in touched.get(entity, {})
                cust = _ref_id(obj.get("CustomerRef"))
                if is_touched:
                    if cust is None:
                        raise faults.required("CustomerRef")
                    if cust not in objs["Customer"] or not visible(cust):
                        raise faults.invalid_reference("Customer", cust, "CustomerRef")
                    if objs["Customer"][cust].get("Active") is False:
                        raise faults.deleted_reference("Customer", objs["Customer"][cust]["DisplayName"],
                                                       "CustomerRef")
                    _check_refs(objs, obj)
                    for line in obj.get("Line", []):
                        if line["Amount"] < ZERO and line.get("DetailType") != "DiscountLineDetail":
                            raise faults.business("Amounts cannot be negative", "Line.Amount")
                    if obj["TotalAmt"] < ZERO:
                        raise faults.business("Amounts cannot be negative", "TotalAmt")

        for pay in objs["Payment"].values():
            is_touched = pay["Id"] in touched.get("Payment", {})
            unapplied = pay["TotalAmt"]
            for line in pay.get("Line", []):
                linked = (line.get("LinkedTxn") or [])[:1]
                if not linked:
                    continue
                txn_id, txn_type = str(linked[0].get("TxnId")), linked[0].get("TxnType")
                if txn_type not in ("Invoice", "CreditMemo"):
                    raise faults.business(f"Unsupported LinkedTxn type {txn_type}", "LinkedTxn")
                target = objs[txn_type].get(txn_id)
                if is_touched and (target is None or not visible(txn_id)):
                    raise faults.business(f"Invalid LinkedTxn {txn_type} {txn_id}", "LinkedTxn")
                if target is None:
                    continue
                if is_touched and _ref_id(target.get("CustomerRef")) != _ref_id(pay.get("CustomerRef")):
                    raise faults.business(f"{txn_type} {txn_id} belongs to another customer", "LinkedTxn")
                if txn_type == "Invoice":
                    applied_inv[txn_id] += line["Amount"]
                    unapplied -= line["Amount"]
                else:
                    applied_cm[txn_id] += line["Amount"]
                    unapplied += line["Amount"]
                if pay["Id"] not in links[txn_id]:
                    links[txn_id].append(pay["Id"])
            if unapplied < ZERO:
                raise faults.business(f"Payment {pay['Id']} applies more than its amount plus credits", "Line")
            unapplied_by_pay[pay["Id"]] = unapplied

        for inv in objs["Invoice"].values():
            if inv["TotalAmt"] - applied_inv[inv["Id"]] < ZERO:
                raise faults.business(f"Linked amount exceeds the balance of Invoice {inv['Id']}", "LinkedTxn")
        for memo in objs["CreditMemo"].values():
            if memo["TotalAmt"] - applied_cm[memo["Id"]] < ZERO:
                raise faults.business(f"Linked amount exceeds the remaining credit of CreditMemo {memo['Id']}",
                                      "LinkedTxn")
        # all rules hold: write the derived fields (objects may be shared with the live books)
        for pay in objs["Payment"].values():
            pay["UnappliedAmt"] = unapplied_by_pay[pay["Id"]]
        for inv in objs["Invoice"].values():
            inv["Balance"] = inv["TotalAmt"] - applied_inv[inv["Id"]]
            inv["LinkedTxn"] = [{"TxnId": pid, "TxnType": "Payment"} for pid in links[inv["Id"]]]
        for memo in objs["CreditMemo"].values():
            memo["RemainingCredit"] = memo["TotalAmt"] - applied_cm[memo["Id"]]
            memo["Balance"] = memo["RemainingCredit"]
            memo["LinkedTxn"] = [{"TxnId": pid, "TxnType": "Payment"} for pid in links[memo["Id"]]]
        # open balance as QBO's A/R shows it: what open invoices still ask, less unused credit and payments
        owed: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for inv in objs["Invoice"].values():
            owed[_ref_id(inv.get("CustomerRef")) or ""] += inv["Balance"]
        for memo in objs["CreditMemo"].values():
            owed[_ref_id(memo.get("CustomerRef")) or ""] -= memo["RemainingCredit"]
        for pay in objs["Payment"].values():
            owed[_ref_id(pay.get("CustomerRef")) or ""] -= pay["UnappliedAmt"]
        for cust in objs["Customer"].values():
            cust["Balance"] = cust["BalanceWithJobs"] = owed[cust["Id"]]


def _writable(entity: str, operation: str) -> None:
    """Account, Item and PaymentMethod are read and query only on the emulator (QBO itself allows more)."""
    if entity in REFERENCE_ENTITIES:
        raise faults.unsupported_operation(f"{operation} {entity} (the emulator only reads and queries {entity})")


def _objects(value: Any) -> bool:
    """True for a list of JSON objects."""
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _merged(current: dict, changes: dict) -> dict:
    """`current` with `changes` laid over it, nested objects merged key by key (a settings update)."""
    out = copy.deepcopy(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _check_deactivation(current: dict, updated: dict) -> None:
    """QBO refuses to make a customer with an open balance inactive through the API."""
    if updated.get("Active") is False and current.get("Active") is not False and current.get("Balance", ZERO) != ZERO:
        raise faults.list_has_balance()


def _display_name(entity: str, obj: dict) -> str:
    if entity == "Customer":
        return str(obj.get("DisplayName", ""))
    return str(obj.get("FullyQualifiedName") or obj.get("Name", ""))


def _check_refs(objs: dict[str, dict[str, dict]], txn: dict) -> None:
    """Item and payment-method references must name objects the company has (2500 otherwise)."""
    method = _ref_id(txn.get("PaymentMethodRef"))
    if method is not None and method not in objs["PaymentMethod"]:
        raise faults.invalid_reference("PaymentMethod", method, "PaymentMethodRef")
    for line in txn.get("Line", []):
        detail = line.get("SalesItemLineDetail")
        item = _ref_id(detail.get("ItemRef")) if isinstance(detail, dict) else None
        if item is not None and item not in objs["Item"]:
            raise faults.invalid_reference("Item", item, "Line.SalesItemLineDetail.ItemRef")


def _check_line_amount(line: dict) -> None:
    """6070 when a sales line gives Qty and UnitPrice whose product (to the cent) is not its Amount.

    A zero Qty or UnitPrice counts as not given: python-quickbooks sends both as 0 by default and Intuit's sandbox
    accepts such lines with any Amount (its own integration tests do). Beyond that the rule is the emulator's guess.
    """
    detail = line.get("SalesItemLineDetail")
    if not isinstance(detail, dict) or _zero(detail.get("Qty")) or _zero(detail.get("UnitPrice")):
        return
    expected = line_amount(detail["Qty"], detail["UnitPrice"])
    if line["Amount"] != expected:
        raise faults.amount_mismatch(line.get("LineNum"), line["Amount"], expected)


def _zero(value: Any) -> bool:
    """True for a missing, empty or zero quantity/price (numbers or numeric strings)."""
    try:
        return value in (None, "") or Decimal(str(value)) == 0
    except ArithmeticError:
        return False
