"""What a brand-new QBO company already holds: the income account, the "Services" and "Hours" items, payment methods,
and its CompanyInfo and Preferences.

Modelled on a fresh US QuickBooks Online company as Intuit's sandbox shows it. The exact Ids, account subtype, the
payment-method list and the settings' values are the emulator's guess at that company; the field names and shapes
are those of Intuit's CompanyInfo and Preferences references.
"""
from __future__ import annotations

# Entities the emulator only reads and queries (the accountant owns them in QBO); each has its own Id sequence.
REFERENCE_ENTITIES = ("Account", "Item", "PaymentMethod")

SALES_ACCOUNT_ID = "1"


DEFAULT_COMPANY_NAME = "Sandbox Company_US_1"


def starter_objects(company_name: str = DEFAULT_COMPANY_NAME, today: str = "") -> dict[str, list[dict]]:
    """Bodies (without MetaData/SyncToken) of the objects a new company starts with; `today` is its start date."""
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
        "CompanyInfo": [company_info(company_name, today)],
        "Preferences": [preferences()],
    }


def company_info(company_name: str, today: str) -> dict:
    """The fields apps read after connecting: name, country, fiscal year start, addresses, contact."""
    address = {"Id": "1", "Line1": "2500 Garcia Ave", "City": "Mountain View", "Country": "US",
               "CountrySubDivisionCode": "CA", "PostalCode": "94043"}
    return {"Id": "1", "CompanyName": company_name, "LegalName": company_name, "CompanyAddr": dict(address),
            "CustomerCommunicationAddr": dict(address), "LegalAddr": dict(address),
            "PrimaryPhone": {"FreeFormNumber": "(650) 555-0100"}, "Email": {"Address": "noreply@example.com"},
            "WebAddr": {}, "CompanyStartDate": today, "FiscalYearStartMonth": "January", "Country": "US",
            "SupportedLanguages": "en",
            "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                          {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
                          {"Name": "NeoEnabled", "Value": "true"}, {"Name": "IsQbdtMigrated", "Value": "false"},
                          {"Name": "ItemCategoriesFeature", "Value": "true"}]}


def preferences() -> dict:
    """A new US company's preferences: no custom transaction numbers, USD, no multicurrency, accrual reports."""
    return {
        "Id": "1",
        "AccountingInfoPrefs": {"FirstMonthOfFiscalYear": "January", "UseAccountNumbers": False,
                                "TaxYearMonth": "January", "ClassTrackingPerTxn": False, "TrackDepartments": False,
                                "TaxForm": "6", "CustomerTerminology": "Customers", "BookCloseDate": "",
                                "DepartmentTerminology": "Location", "ClassTrackingPerTxnLine": False},
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True, "QuantityWithPriceAndRate": True,
                                    "QuantityOnHand": True},
        "SalesFormsPrefs": {"CustomTxnNumbers": False, "AllowDeposit": False, "AllowDiscount": False,
                            "AllowEstimates": True, "AllowServiceDate": False, "AllowShipping": False,
                            "AutoApplyCredit": True, "AutoApplyPayments": True, "DefaultCustomerMessage": "",
                            "EmailCopyToCompany": False, "ETransactionEnabledStatus": "NotApplicable",
                            "ETransactionPaymentEnabled": False, "ETransactionAttachPDF": False,
                            "IPNSupportEnabled": False, "UsingPriceLevels": False, "UsingProgressInvoicing": False},
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": False, "BillableExpenseTracking": False},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True, "ShowBillRateToAll": False,
                              "WorkWeekStartDate": "Monday", "MarkTimeEntriesBillable": True},
        "TaxPrefs": {"UsingSalesTax": False},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        "OtherPrefs": {"NameValue": [{"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": ""}]},
    }
