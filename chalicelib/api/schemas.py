"""Every model of the public API in one namespace, for code that wants them all (tests, tools).

The models live in chalicelib/api/wire/, one module per route module, so that the deployed API loads only the
shapes of the route it serves; route modules import from there, never from here (importing this loads them all).
"""
from __future__ import annotations

from .wire.accounts import (  # noqa: F401
    AccountOut,
    AssignRole,
    CreateAccount,
    CreateRole,
    MeOut,
    RoleList,
    RoleOut,
    SettingsChangeOut,
    SettingsOut,
    SettingsPatch,
    UserList,
    UserOut,
    UserRowOut,
)
from .wire.common import (  # noqa: F401
    Amount,
    Body,
    CreditSourceName,
    CreditStatusName,
    Cursor,
    Id,
    Limit,
    ListQuery,
    Name,
    Note,
    Out,
    Quantity,
    SyncStatusName,
)
from .wire.credit_reads import (  # noqa: F401
    AgingBucketsOut,
    AgingCustomerOut,
    AgingOut,
    AgingQuery,
    AgingRowOut,
    CancelPreviewOut,
    ChangedCreditOut,
    LineageDocOut,
    LineageInvoiceOut,
    LineageOrigin,
    LineageOut,
    LineageReturnOut,
    LineageUseOut,
    QboChangeOut,
    ReopenedInvoiceOut,
    VoidedUseOut,
)
from .wire.credits import (  # noqa: F401
    CancelCredit,
    CreateCredit,
    CreditEventOut,
    CreditHistory,
    CreditList,
    CreditListQuery,
    CreditOut,
    EditCredit,
)
from .wire.customers import (  # noqa: F401
    CreateCustomer,
    CreditSummaryAsOfOut,
    CreditSummaryOut,
    CreditSummaryQuery,
    CustomerList,
    CustomerListQuery,
    CustomerOut,
    RenameCustomer,
)
from .wire.errors import ErrorBody, ErrorOut  # noqa: F401
from .wire.qbo_status import QboErrorOut, QboRetryOut, QboStatusOut, SyncObjectType  # noqa: F401
from .wire.returns import CreateReturn, ReturnLineIn, ReturnLineOut, ReturnList, ReturnListQuery, ReturnOut  # noqa: F401
from .wire.sales import (  # noqa: F401
    ChangeCustomer,
    ChargeIn,
    ChargeOut,
    ChosenCreditIn,
    CreateSalesOrder,
    CreditUseOut,
    EditInvoice,
    InvoiceList,
    InvoiceListQuery,
    InvoiceOut,
    InvoiceRowOut,
    InvoiceSummaryOut,
    LineIn,
    LineOut,
    PaymentList,
    PaymentListQuery,
    PaymentOut,
    PaymentPreviewBody,
    PaymentPreviewOut,
    PaymentRowOut,
    PreviewCreditOut,
    ReceivePayment,
    SalesOrderOut,
    TenderIn,
    TenderOut,
)
