"""Each QBO company's shared request budget (domain/realm_budget.py) as one item beside the company's realm mapping:
pk = realm_pk(realm) (store/qbo_connections.py; a budget is the company's, not an account's), sk = "BUDGET".

A take is one UpdateItem whose condition says which case of the domain's `start_of` applies, so the streams move
server-side (tat = tat + step) and a process never has to read the item first: when its guess is stale, the
failed write hands back the item as it is (ReturnValuesOnConditionCheckFailure) and the next write is right. The
slots of the in-flight limit live in the same item (`leases`: slot → lapse time), renewed by the same write.
The item outlives its last write by a day (TTL), so an idle realm's budget is swept away.
"""
from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .. import config
from ..domain.realm_budget import Draw, RateShare, RealmBudget, Seconds, branch
from ..ports.qbo_budget import BudgetConflict, BudgetUnavailable
from .qbo_connections import realm_pk
from .tables import TTL_ATTRIBUTE, dynamodb_client

BUDGET_SK = "BUDGET"
IDLE_TTL_SECONDS = 86400
# the take's conditional update per `branch` (request cells only, or with a batch): what the streams become
SINGLE = {
    "tat": ("tat = tat + :step", "tat >= :floor"),
    "floor": ("tat = :floor_step", "tat < :floor"),
}
BATCH = {
    "tat": ("tat = tat + :step, batch_tat = tat + :bstep", "tat >= batch_tat AND tat >= :now"),
    "batch_tat": ("tat = batch_tat + :step, batch_tat = batch_tat + :bstep", "batch_tat >= :now AND tat < batch_tat"),
    "now": ("tat = :now_step, batch_tat = :now_bstep", "batch_tat < :now AND tat < :now"),
}


def _n(value: Seconds | RateShare) -> dict:
    """A clock reading, span or rate share as DynamoDB's number (never money: the budget counts time)."""
    return {"N": repr(float(value))}


def _key(realm_id: str) -> dict:
    return {"pk": {"S": realm_pk(realm_id)}, "sk": {"S": BUDGET_SK}}


def from_item(item: dict) -> RealmBudget:
    """The domain's view of the item (missing attributes: a fresh realm)."""
    def number(name: str, default: Seconds | RateShare) -> Seconds | RateShare:  # clock readings, the rate's share
        return float(item[name]["N"]) if name in item else default

    leases = {slot: float(value["N"]) for slot, value in item.get("leases", {}).get("M", {}).items()}
    return RealmBudget(number("tat", 0.0), number("batch_tat", 0.0), number("factor", 1.0),
                       number("slow_until", 0.0), leases)


def _stream_update(seen: RealmBudget, taken: Draw) -> tuple[list[str], list[str], dict]:
    """SET clauses, conditions and values that move the streams as the domain's `apply` does, for the case `seen`
    is in."""
    if not taken.requests and not taken.batch:
        return [], [], {}
    case = branch(seen, taken)
    update, condition = (BATCH if taken.batch else SINGLE)[case]
    values = {":step": _n(taken.step), ":bstep": _n(taken.batch_interval), ":floor": _n(taken.floor),
              ":now": _n(taken.now), ":floor_step": _n(taken.floor + taken.step),
              ":now_step": _n(taken.now + taken.step), ":now_bstep": _n(taken.now + taken.batch_interval)}
    named = set(re.findall(r":\w+", update + " " + condition))
    return [update], [f"({condition})"], {name: value for name, value in values.items() if name in named}


class DynamoBudgetStore:
    """The port's DynamoDB adapter (chalicelib/ports/qbo_budget.py)."""

    def take(self, realm_id: str, seen: RealmBudget, taken: Draw, slot: str | None, lease_until: Seconds,
             in_flight: int) -> RealmBudget:
        sets, conditions, values = _stream_update(seen, taken)
        names = {"#ttl": TTL_ATTRIBUTE}
        sets.append("#ttl = :ttl")
        values[":ttl"] = {"N": str(int(taken.now) + IDLE_TTL_SECONDS)}
        if slot is not None:
            names["#slot"] = slot
            sets.append("leases.#slot = :lease")
            conditions.append("(attribute_exists(leases.#slot) OR size(leases) < :in_flight)")
            values.update({":lease": _n(lease_until), ":in_flight": {"N": str(in_flight)}})
        conditions.append("attribute_exists(pk)")
        return self._update(realm_id, "SET " + ", ".join(sets), " AND ".join(conditions), names, values)

    def learn(self, realm_id: str, seen: RealmBudget, learned: RealmBudget, pause_until: Seconds) -> RealmBudget:
        """The slower rate as learned, and each stream still behind the pause moved to its end (as `seen` says;
        a wrong guess either way is a conflict)."""
        sets, conditions = ["factor = :f", "slow_until = :u"], ["attribute_exists(pk)"]
        values = {":f": _n(learned.factor), ":u": _n(learned.slow_until), ":p": _n(pause_until)}
        for stream in ("tat", "batch_tat"):
            if getattr(seen, stream) < pause_until:
                sets.append(f"{stream} = :p")
                conditions.append(f"{stream} < :p")
            else:
                conditions.append(f"{stream} >= :p")
        return self._update(realm_id, "SET " + ", ".join(sets), " AND ".join(conditions), {}, values)

    def drop_slots(self, realm_id: str, lapsed: dict[str, Seconds]) -> RealmBudget:
        names = {f"#s{n}": slot for n, slot in enumerate(lapsed)}
        values = {f":s{n}": _n(until) for n, until in enumerate(lapsed.values())}
        try:
            return self._update(realm_id, "REMOVE " + ", ".join(f"leases.{name}" for name in names),
                                " AND ".join(f"leases.#s{n} = :s{n}" for n in range(len(lapsed))), names, values)
        except BudgetConflict as conflict:  # renewed or removed meanwhile: nothing of ours to do
            return conflict.current

    def current(self, realm_id: str) -> RealmBudget:
        """The realm's budget as stored (a fresh realm if it has none yet): for tests and support, never on the hot
        path (a take answers the item anyway)."""
        return from_item(self._call("get_item", Key=_key(realm_id), ConsistentRead=True).get("Item", {}))

    def _update(self, realm_id: str, update: str, condition: str, names: dict, values: dict) -> RealmBudget:
        """One conditional UpdateItem (creating the item first if the realm has none yet)."""
        for _ in range(2):
            try:
                answer = self._call("update_item", Key=_key(realm_id), UpdateExpression=update,
                                    ConditionExpression=condition, ExpressionAttributeValues=values,
                                    ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD",
                                    **({"ExpressionAttributeNames": names} if names else {}))
                return from_item(answer["Attributes"])
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise BudgetUnavailable(str(error)) from error
                current = error.response.get("Item")
                if current:
                    raise BudgetConflict(from_item(current)) from None
                self._create(realm_id)
        raise BudgetUnavailable(f"the budget item of realm {realm_id} could not be created")

    def _create(self, realm_id: str) -> None:
        item = {**_key(realm_id), "tat": _n(0), "batch_tat": _n(0), "factor": _n(1), "slow_until": _n(0),
                "leases": {"M": {}}}
        try:
            self._call("put_item", Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise BudgetUnavailable(str(error)) from error  # else another process created it first

    @staticmethod
    def _call(operation: str, **params: Any) -> dict:
        try:
            return getattr(dynamodb_client(), operation)(TableName=config.table_name(), **params)
        except ClientError:
            raise
        except BotoCoreError as error:  # endpoint unreachable, timeouts: the budget is unavailable, not QBO
            raise BudgetUnavailable(str(error)) from error
