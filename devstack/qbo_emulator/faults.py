"""QBO Fault errors and their JSON/XML bodies (always with a `code`, or python-quickbooks crashes)."""
from __future__ import annotations

from xml.sax.saxutils import escape


class QboFault(Exception):
    """An error answer: HTTP status plus one Fault Error entry."""

    def __init__(self, status: int, code: int, message: str, detail: str = "",
                 fault_type: str = "ValidationFault", element: str = "") -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.fault_type = fault_type
        self.element = element

    def fault(self) -> dict:
        """The `Fault` object as QBO sends it."""
        return {
            "Error": [{"Message": self.message, "Detail": self.detail,
                       "code": str(self.code), "element": self.element}],
            "type": self.fault_type,
        }


def not_found(entity: str, obj_id: str) -> QboFault:
    """610 Object Not Found."""
    return QboFault(400, 610, "Object Not Found",
                    f"Object Not Found : Something you're trying to use has been made inactive. "
                    f"Check the fields with accounts, customers, items, vendors or employees. "
                    f"({entity} {obj_id})")


def stale(entity: str, obj_id: str) -> QboFault:
    """5010 Stale Object Error."""
    return QboFault(400, 5010, "Stale Object Error",
                    f"Stale Object Error : You and another user were working on the same thing. "
                    f"({entity} {obj_id})")


def business(detail: str, element: str = "") -> QboFault:
    """6000 business validation error."""
    return QboFault(400, 6000, "A business validation error has occurred while processing your request",
                    f"Business Validation Error: {detail}", element=element)


def required(field: str) -> QboFault:
    """2020 Required param missing."""
    return QboFault(400, 2020, "Required param missing, need to supply the required value for the API",
                    f"Required parameter {field} is missing in the request", element=field)


def bad_request(detail: str) -> QboFault:
    """2500 invalid request (unknown entity, bad JSON, ...)."""
    return QboFault(400, 2500, "Invalid Reference Id or request", detail)


def invalid_reference(entity: str, ref_id: str, element: str) -> QboFault:
    """2500 Invalid Reference Id: a *Ref names an object this company does not have (or a batch cannot see yet)."""
    return QboFault(400, 2500, "Invalid Reference Id",
                    f"Invalid Reference Id : Something you're trying to use has been made inactive. "
                    f"Check the fields with accounts, customers, items, vendors or employees. ({entity} {ref_id})",
                    element=element)


def deleted_reference(entity: str, name: str, element: str) -> QboFault:
    """2500 for a transaction naming an inactive ("deleted") customer, in QBO's words."""
    return QboFault(400, 2500, "Invalid Reference Id",
                    f"Invalid Reference Id : {entity} assigned to this transaction has been deleted. "
                    f"Before you can modify this transaction, you must restore {name} (deleted)", element=element)


def list_has_balance() -> QboFault:
    """Making a customer with an open balance inactive. QBO's message and detail; the code is the emulator's guess."""
    return QboFault(400, 6000, "Delete List Has Balance Error",
                    "The entity you are trying to delete has an open balance. : "
                    "This customer cannot be deleted because it has a non-zero balance", element="Active")


def unsupported_operation(detail: str) -> QboFault:
    """500 Unsupported Operation (python-quickbooks: UnsupportedException), e.g. writing a read-only entity."""
    return QboFault(400, 500, "Unsupported Operation", f"Operation {detail} is not supported.")


def batch_too_large(size: int, limit: int) -> QboFault:
    """1040 for a batch of more than `limit` items (message text is the emulator's guess)."""
    return QboFault(400, 1040, "Batch size exceeded",
                    f"The number of batch items ({size}) exceeds the maximum of {limit}", element="BatchItemRequest")


def amount_mismatch(line_num: object, amount: object, expected: object) -> QboFault:
    """6070 a sales line whose Amount is not Qty x UnitPrice."""
    return QboFault(400, 6070, "Amount calculation incorrect in the request",
                    f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount} for line {line_num}; "
                    f"expected {expected}", element="Line.Amount")


def query_error(detail: str) -> QboFault:
    """4000 query parser error."""
    return QboFault(400, 4000, "Error parsing query", f"QueryParserError: {detail}")


def query_invalid(detail: str) -> QboFault:
    """4001 a query that parses but names what QBO cannot query (a property, an entity)."""
    return QboFault(400, 4001, "Invalid query", f"QueryValidationError: {detail}")


def auth_failed() -> QboFault:
    """3200 AuthenticationFailed with HTTP 401."""
    return QboFault(401, 3200, "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "Token expired or invalid", fault_type="AuthenticationFault")


def throttled() -> QboFault:
    """3001 ThrottleExceeded with HTTP 429."""
    return QboFault(429, 3001, "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                    "The request limit was reached.", fault_type="SERVICE")


def server_error(status: int) -> QboFault:
    """Injected 5xx system fault."""
    return QboFault(status, 10000, "An application error has occurred while processing your request",
                    "System Failure Error: injected by the emulator", fault_type="SystemFault")


def fault_xml(err: QboFault, time_text: str) -> bytes:
    """XML body for a fault (QBO historically answered throttles this way)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{escape(time_text)}">'
        f'<Fault type="{escape(err.fault_type)}"><Error code="{err.code}">'
        f"<Message>{escape(err.message)}</Message><Detail>{escape(err.detail)}</Detail>"
        "</Error></Fault></IntuitResponse>"
    ).encode()
