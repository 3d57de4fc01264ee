"""What the emulator knows about QBO's entities: which it models, which QBO has but the emulator does not, which
are name lists (queried active-only unless the query says otherwise) and which properties a query may filter on.

Filterable properties: Customer's are the attributes Intuit's reference marks "filterable"; the other entities' are
the emulator's reading of that reference (Id, MetaData.CreateTime and MetaData.LastUpdatedTime everywhere, the
dates, references, amounts and names QBO indexes). A property not listed is refused with 4001, as QBO refuses one
it does not index; widen a list here if QBO accepts a filter the emulator refuses.
"""
from __future__ import annotations

# entities the emulator models, by their lower-case URL segment
MODELLED = {"customer": "Customer", "invoice": "Invoice", "payment": "Payment", "creditmemo": "CreditMemo",
            "account": "Account", "item": "Item", "paymentmethod": "PaymentMethod",
            "companyinfo": "CompanyInfo", "preferences": "Preferences"}

# entities of QBO's accounting API the emulator does not model: REST and queries answer 2500 for them
NOT_MODELLED = ("Attachable", "Bill", "BillPayment", "Budget", "Class", "CompanyCurrency", "CreditCardPayment",
                "CustomerType", "Department", "Deposit", "Employee", "Entitlements", "Estimate", "ExchangeRate",
                "InventoryAdjustment", "JournalCode", "JournalEntry", "Purchase", "PurchaseOrder",
                "RecurringTransaction", "RefundReceipt", "ReimburseCharge", "SalesReceipt", "TaxAgency",
                "TaxClassification", "TaxCode", "TaxPayment", "TaxRate", "TaxService", "Term", "TimeActivity",
                "Transfer", "Vendor", "VendorCredit")
_NOT_MODELLED_LOWER = {name.lower() for name in NOT_MODELLED}

# name lists: QBO never deletes their objects, only makes them inactive, and queries return active ones by default
NAME_LISTS = ("Customer", "Account", "Item", "PaymentMethod")
# the entities a company holds exactly one of (Id "1"): read, queried and updated, never created or deleted
SETTINGS = ("CompanyInfo", "Preferences")

_META = ("id", "metadata.createtime", "metadata.lastupdatedtime")
_TXN = (*_META, "docnumber", "txndate", "customerref", "totalamt")
FILTERABLE: dict[str, frozenset[str]] = {
    "Customer": frozenset((*_META, "displayname", "givenname", "middlename", "familyname", "companyname",
                           "primaryemailaddr", "printoncheckname", "fullyqualifiedname", "active", "balance")),
    "Invoice": frozenset((*_TXN, "balance", "duedate")),
    "CreditMemo": frozenset((*_TXN, "balance")),
    "Payment": frozenset((*_META, "txndate", "customerref", "totalamt")),
    "Account": frozenset((*_META, "name", "subaccount", "fullyqualifiedname", "active", "classification",
                          "accounttype", "accountsubtype", "acctnum", "currentbalance")),
    "Item": frozenset((*_META, "name", "sku", "type", "fullyqualifiedname", "active")),
    "PaymentMethod": frozenset((*_META, "name", "type", "active")),
    "CompanyInfo": frozenset(_META),
    "Preferences": frozenset(_META),
}


def is_qbo_entity(name: str) -> bool:
    """True for an entity QBO's accounting API has, modelled here or not."""
    return name.lower() in MODELLED or name.lower() in _NOT_MODELLED_LOWER


def filterable(entity: str, prop: str) -> bool:
    """Whether a query may filter `entity` on `prop` (any casing, dotted paths as QBO writes them)."""
    return prop.lower() in FILTERABLE.get(entity, frozenset())
