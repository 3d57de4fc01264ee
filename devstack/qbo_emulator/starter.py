"""What a brand-new QBO company already holds: the income account, the "Services" and "Hours" items, payment methods.

Modelled on a fresh US QuickBooks Online company as Intuit's sandbox shows it. The exact Ids, account subtype and
the payment-method list are the emulator's guess at that company, not something Intuit documents.
"""
from __future__ import annotations

# Entities the emulator only reads and queries (the accountant owns them in QBO); each has its own Id sequence.
REFERENCE_ENTITIES = ("Account", "Item", "PaymentMethod")

SALES_ACCOUNT_ID = "1"


def starter_objects() -> dict[str, list[dict]]:
    """Bodies (without MetaData/SyncToken) of the reference objects a new company starts with."""
    sales = {"value": SALES_ACCOUNT_ID, "name": "Sales"}
    return {
        "Account": [
            {"Id": SALES_ACCOUNT_ID, "Name": "Sales", "FullyQualifiedName": "Sales", "SubAccount": False,
             "Classification": "Revenue", "AccountType": "Income", "AccountSubType": "SalesOfProductIncome",
             "Active": True, "CurrentBalance": 0},
        ],
        "Item": [
            {"Id": "1", "Name": "Services", "FullyQualifiedName": "Services", "Type": "Service", "Active": True,
             "Taxable": False, "UnitPrice": 0, "IncomeAccountRef": dict(sales), "TrackQtyOnHand": False},
            {"Id": "2", "Name": "Hours", "FullyQualifiedName": "Hours", "Type": "Service", "Active": True,
             "Taxable": False, "UnitPrice": 0, "IncomeAccountRef": dict(sales), "TrackQtyOnHand": False},
        ],
        "PaymentMethod": [
            {"Id": str(n), "Name": name, "Type": kind, "Active": True}
            for n, (name, kind) in enumerate([("Cash", "NON_CREDIT_CARD"), ("Check", "NON_CREDIT_CARD"),
                                              ("Visa", "CREDIT_CARD"), ("MasterCard", "CREDIT_CARD"),
                                              ("Discover", "CREDIT_CARD"), ("American Express", "CREDIT_CARD")],
                                             start=1)
        ],
    }
