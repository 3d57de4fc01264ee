"""The soak's QuickBooks lifecycle: staff disconnect the account softly or hard, the owner reconnects it through
Intuit's consent (after a soft disconnect to the same company, after a hard one to a new company, as the guide's
"Hard Disconnect" has it), staff start mass re-syncs and switch two-way credit sync on and off. The jobs these start
(the hard disconnect's clearing, the re-sync, the switch's credit push) are steps on the sync queue: the world's
worker runs them between operations, as the Lambda would, and resumes one whose step reached the DLQ.

The end of a run (`settle_connection`) leaves the account as support would: connected again (to its company after
a soft disconnect, to a new company after a hard one) and, once connected to a new company, re-synced (the guide:
there is no automatic re-sync; support runs one on request), so the final parity check compares the whole ledger
with the company the account is connected to, in the mode it ended in.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from chalicelib.qbo.mapping import find_marker
from tests.qbo.inbound_stack import memo_body
from tests.soak.world import World

ONE_WAY_START = 1 / 3  # the share of runs whose account starts one-way (qbo_credit_sync off)


def starts_two_way(seed: int) -> bool:
    """The seed's choice of the account's first mode (its own stream: the plan's operations do not move it)."""
    return random.Random(f"mode:{seed}").random() >= ONE_WAY_START


class LifecycleOps:
    """Mixed into the Clerk: the lifecycle operations of the plan, by staff and the owner through the API."""

    world: World
    touched: set[tuple[str, str]]
    unread: set[tuple[str, str]]

    def call(self, method: str, path: str, body: Any = None, *, as_: Any = None) -> Any:
        raise NotImplementedError  # the Clerk's

    # --- staff and the owner ----------------------------------------------------------------------------------------
    def do_disconnect_soft(self, rng):
        if self.world.state == "connected":
            reply = self.call("POST", "/qbo/disconnect", {"mode": "soft"}, as_=self.world.account.staff)
            if reply.status == 200:
                self.world.state = "soft"

    def do_disconnect_hard(self, rng):
        if self.world.state == "none":
            return
        reply = self.call("POST", "/qbo/disconnect", {"mode": "hard"}, as_=self.world.account.staff)
        if reply.status == 200:
            self.world.state, self.world.needs_resync = "none", False
            self.world.jobs.append(reply.json["job"]["id"])

    def do_reconnect(self, rng):
        """Back to the same company after a soft disconnect; to a new company after a hard one (refused with 409
        `job_running` while the hard disconnect still clears the account: tried again later)."""
        world = self.world
        if world.state == "connected":
            return
        realm = world.realm if world.state == "soft" else (world.spare_company or world.new_company())
        reply = world.consent(realm)
        if reply.status == 409 and reply.json["error"]["code"] == "job_running" and world.state == "none":
            world.spare_company = realm
            return
        assert reply.status == 200 and reply.json["connected"], (reply.status, reply.body)
        if world.state == "none":
            world.realm, world.spare_company, world.needs_resync, world.resync_job = realm, None, True, None
            world.realms.append(realm)
            world.two_way_past = world.two_way
            self.touched, self.unread = set(), set()  # the old company's documents are not ours to compare any more
        world.state = "connected"

    def do_resync(self, rng):
        if self.world.state != "connected":
            return
        reply = self.call("POST", "/qbo/resyncs", {}, as_=self.world.account.staff)
        if reply.status == 202:
            self.world.jobs.append(reply.json["id"])
            self.world.resync_job = reply.json["id"]

    def do_credit_sync_on(self, rng):
        reply = self.call("PATCH", "/settings", {"qbo_credit_sync": True}, as_=self.world.account.staff)
        if reply.status == 200:
            self.world.two_way = True
            self.world.two_way_past |= self.world.state != "none"
            if reply.json.get("qbo_sync_job"):
                self.world.jobs.append(reply.json["qbo_sync_job"]["id"])

    def do_credit_sync_off(self, rng):
        who = rng.choice([self.world.account.staff, self.world.account.owner])
        reply = self.call("PATCH", "/settings", {"qbo_credit_sync": False}, as_=who)
        if reply.status == 200:
            self.world.two_way = False
            self.unread |= self.touched  # one-way reads nothing back: what the accountant did is never drift now

    # --- the accountant lowers one of our memos, then the clerk spends that credit ----------------------------------
    def do_acct_lower_and_use(self, rng):
        """Drift followed by a use of it: the use waits for the repair of the memo's drift (issue 20 §3)."""
        with self.world.reading():
            memos = [d for d in self.world.books()["CreditMemo"] if (find_marker(d) or ("",))[0] == "credit"
                     and not d.get("_voided") and Decimal(str(d.get("RemainingCredit") or 0)) > 0]
        if not memos:
            return
        memo = rng.choice(memos)
        total = Decimal(str(memo["TotalAmt"]))
        lower = max(Decimal("0.01"), total - Decimal(rng.randint(1, max(1, int(total * 100) // 2))) / 100)
        line = memo_body(memo["CustomerRef"]["value"], f"{lower:.2f}", item_id=self._item())["Line"]
        if self.world.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": line}):
            self.touch(find_marker(memo))
        if rng.random() < 0.5:
            self.world.step()  # the drift is read before the use, or the use comes first
        credit = self.read(f"/credits/{find_marker(memo)[1]}")
        if credit["status"] != "active" or Decimal(credit["remaining"]) <= 0:
            return
        self.pay_with(rng, credit)

    def touch(self, marker: tuple[str, str]) -> None:
        """The accountant changed our document: drift once read back, unless the account does not read QBO now
        (one-way, or not connected: a soft disconnect's changes are read on reconnecting)."""
        self.touched.add(marker)
        if not (self.world.two_way and self.world.state in ("connected", "soft")):
            self.unread.add(marker)

    def _item(self) -> str:
        raise NotImplementedError  # the Clerk's

    def read(self, path: str) -> Any:
        raise NotImplementedError  # the Clerk's

    def pay_with(self, rng: random.Random, credit: dict) -> None:
        raise NotImplementedError  # the Clerk's


def settle_connection(clerk: Any) -> dict[str, Any]:
    """The end of a run: what can move is moved (faults off), the account is connected again and, on a company it
    connected after a hard disconnect, re-synced to the end (no failures); then drained again."""
    world = clerk.world
    stats: dict[str, Any] = {"companies": len(world.realms)}
    world.drain(settle=True)
    if world.state != "connected":
        stats["reconnected"] = world.state
        clerk.do_reconnect(random.Random(0))
        assert world.state == "connected", "the end phase could not reconnect"
    if world.needs_resync and not _finished(world, world.resync_job):
        reply = clerk.call("POST", "/qbo/resyncs", {}, as_=world.account.staff)
        assert reply.status == 202, (reply.status, reply.body)
        world.jobs.append(reply.json["id"])
        world.resync_job = reply.json["id"]
        stats["final_resync"] = True
    world.drain(settle=True)
    if world.two_way_past and not world.two_way:
        # One-way keeps what a two-way past pushed to this company (README: nothing is deleted in QBO, later credit
        # changes stay here), which one-way parity does not maintain: staff switch two-way on again, and its job
        # brings the credits and their uses in line.
        clerk.do_credit_sync_on(random.Random(0))
        assert world.two_way, "the end phase could not switch two-way on again"
        stats["switched_back"] = True
        world.drain(settle=True)
    if world.needs_resync:
        job = world.job(world.resync_job)
        assert (job["status"], job["failed"]) == ("done", 0), f"the re-sync to the new company: {job}"
        world.needs_resync = False
    stats["jobs"] = [(job["kind"], job["status"], job["stopped"], job["failed"], job["errors"][:2])
                     for job in map(world.job, world.jobs)]
    stats["mode"], stats["companies"] = ("two_way" if world.two_way else "one_way"), len(world.realms)
    return stats


def _finished(world: World, job_id: str | None) -> bool:
    return job_id is not None and world.job(job_id)["status"] == "done"
