"""The edge maps error kinds to HTTP statuses; domain errors themselves know nothing of HTTP."""
from __future__ import annotations

import pytest

from chalicelib.api.auth import Unauthenticated
from chalicelib.api.errors import STATUS_BY_ERROR, status_for
from chalicelib.api.idempotency import IdempotencyInProgress, IdempotencyKeyReused
from chalicelib.api.responses import domain_error_response
from chalicelib.api.routing import BadRequest
from chalicelib.domain import errors
from chalicelib.domain.invoices import CustomerLocked
from chalicelib.store.uow import Contention, KeyAlreadyApplied


@pytest.mark.parametrize("error, status", [
    (errors.NotFound("x"), 404), (errors.Forbidden("x"), 403), (errors.CreditsDisabled("x"), 403),
    (errors.InvalidInput("x"), 400), (BadRequest("x"), 400), (errors.Conflict("x"), 409),
    (errors.CreditBelowUsed("x"), 409), (CustomerLocked("x"), 409), (Contention("x"), 409),
    (KeyAlreadyApplied("x"), 409), (Unauthenticated("x"), 401), (IdempotencyKeyReused("x"), 422),
    (IdempotencyInProgress("x"), 409), (errors.DomainError("x"), 409),
])
def test_each_kind_of_error_gets_its_status(error, status):
    assert status_for(error) == status


@pytest.mark.parametrize("base, status", [(errors.NotFound, 404), (errors.Forbidden, 403),
                                          (errors.InvalidInput, 400), (errors.Conflict, 409)])
def test_a_new_subclass_inherits_its_bases_status(base, status):
    new_kind = type("SomethingNew", (base,), {"code": "something_new"})
    assert status_for(new_kind("x")) == status


def test_the_nearest_class_wins_over_a_farther_one():
    class Strange(Unauthenticated, errors.Forbidden):
        code = "strange"

    assert status_for(Strange("x")) == 401


def test_domain_errors_carry_no_http_status():
    domain_errors = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.DomainError)]
    assert domain_errors and not [c for c in domain_errors if "status" in vars(c)]
    assert all(issubclass(kind, errors.DomainError) for kind in STATUS_BY_ERROR)


def test_the_error_response_uses_the_mapped_status_and_the_one_shape():
    response = domain_error_response(errors.NotFound("no such credit", details={"credit_id": "c1"}))
    assert response.status_code == 404
    assert response.body == ('{"error":{"code":"not_found","message":"no such credit",'
                             '"details":{"credit_id":"c1"}}}')


def test_something_that_is_not_a_domain_error_has_no_status():
    with pytest.raises(TypeError):
        status_for(ValueError("x"))  # type: ignore[arg-type]
