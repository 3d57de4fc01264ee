"""Credit, order, invoice, payment and return numbers: unique per account, and taking one never makes writes conflict."""
from concurrent.futures import ThreadPoolExecutor

from tests.ledger_helpers import credit, order


def _issue_credit_while(account, during_first_attempt):
    """Run a manual-credit use case that calls during_first_attempt() after taking its number; return (credit, runs)."""
    from chalicelib.domain.credits import CreditSource
    from chalicelib.services.postings import issue_credit
    from chalicelib.store.ids import utc_now
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.uow import run_in_transaction

    runs = []

    def write(uow):
        runs.append(uow)
        book = Ledger(uow)
        issued = issue_credit(book, customer_id=account.customers[0], source=CreditSource.MANUAL, amount=5_00,
                              now=utc_now())
        if len(runs) == 1:
            during_first_attempt(book)
        return issued

    return run_in_transaction(account.id, write), runs


def test_a_credit_issued_meanwhile_does_not_make_this_one_rerun(account):
    """Two clerks issuing credits at once: neither transaction conflicts, the numbers differ."""
    other = {}
    issued, runs = _issue_credit_while(account, lambda book: other.update(credit(account, "1.00")))
    assert len(runs) == 1
    assert issued.number != other["number"]
    assert {issued.number, other["number"]} == {"CR-1001", "CR-1002"}


def test_a_rerun_after_a_lost_race_keeps_the_number_it_took(account):
    """The use case loses a race on a credit it changes; its rerun reuses its number, so the next one follows on."""
    target = credit(account, "3.00")["id"]

    def race(book):
        book.credits.get(target).edit(now="2020-01-01T00:00:00Z", internal_note="mine")
        assert account.owner.patch(f"/credits/{target}", {"internal_note": "theirs"}).status == 200

    issued, runs = _issue_credit_while(account, race)
    assert len(runs) == 2
    assert issued.number == "CR-1002"
    assert credit(account, "1.00")["number"] == "CR-1003"


def test_clerks_creating_sales_orders_at_the_same_time_all_succeed(account):
    """Four clients creating orders in parallel in one account: every one is created, numbers are unique."""
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda i: account.owner.post("/sales-orders", {
            "customer_id": account.customers[i % 2],
            "lines": [{"description": "goods", "quantity": 1, "unit_price": "10.00"}]}), range(24)))
    assert [r.status for r in replies] == [201] * 24, [r.body for r in replies if r.status != 201]
    orders = [r.json for r in replies]
    assert len({o["number"] for o in orders}) == 24
    invoices = [account.owner.get(f"/invoices/{o['invoice_id']}").json["number"] for o in orders]
    assert len(set(invoices)) == 24
    assert order(account)["number"] not in {o["number"] for o in orders}
