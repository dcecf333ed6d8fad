import pytest
from django.db import transaction

from tridex.core import events
from tridex.core.errors import NotFound, ValidationFailed


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_only_after_commit():
    seen = []
    events.subscribe("test.happened")(lambda e: seen.append(e.payload["n"]))
    with transaction.atomic():
        events.emit("test.happened", n=1)
        assert seen == []
    assert seen == [1]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_events_are_never_delivered():
    seen = []
    events.subscribe("test.rolled_back")(lambda e: seen.append(e))
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("test.rolled_back")
        raise RuntimeError
    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_hide_the_event_from_others():
    seen = []

    def broken(event):
        raise ValueError("boom")

    events.subscribe("test.partial")(broken)
    events.subscribe("test.partial")(lambda e: seen.append(e.name))
    events.emit("test.partial")
    assert seen == ["test.partial"]


def test_domain_errors_carry_code_field_and_status():
    error = ValidationFailed("Bad page.", field="page")
    assert error.as_dict() == {"code": "validation_failed", "message": "Bad page.", "field": "page"}
    assert error.status == 422
    assert NotFound("x").status == 404
    assert NotFound("x", code="product_not_found").code == "product_not_found"
