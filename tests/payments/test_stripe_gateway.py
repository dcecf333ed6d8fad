"""StripeGateway, through the real stripe SDK over HTTP against the local fake Stripe.

Nothing is patched: each test makes the SDK send real requests to ``stripe_server`` and asserts
both on what the gateway returns and on what reached "Stripe" (amounts in minor units,
idempotency keys), so a change in either the gateway or the SDK's wire format shows up here.
"""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
import stripe

from tests.payments.stripe_server import FakeStripe
from tridex.core.money import Money
from tridex.payments.gateways.base import (
    GatewayError,
    GatewayStatus,
    InvalidWebhook,
    PaymentRequest,
)
from tridex.payments.gateways.stripe import StripeGateway, stripe_publishable_key

INTENTS = "/v1/payment_intents"


def thb(amount: str) -> Money:
    return Money(amount, "THB")


def payment(reference: str = "P-1001", amount: Money | None = None, **fields) -> PaymentRequest:
    return PaymentRequest(reference=reference, amount=amount or thb("1290"), **fields)


def gateway_for(server: FakeStripe, **options) -> StripeGateway:
    options = {"timeout": 5, "max_network_retries": 0, **options}
    return StripeGateway(
        secret_key=options.pop("secret_key", server.api_key),
        webhook_secret=server.webhook_secret,
        api_base=options.pop("api_base", server.url),
        **options,
    )


def paid_intent(server: FakeStripe, gateway: StripeGateway, *, capture: bool = True) -> str:
    """Create an intent and let the customer pay it; return its id."""
    intent_id = gateway.create(payment(capture=capture)).external_id
    server.succeed(intent_id)
    return intent_id


class TestCreate:
    def test_sends_minor_units_and_the_reference_as_idempotency_key(
        self, stripe_server, stripe_gateway
    ):
        result = stripe_gateway.create(
            payment(description="Order 1001", email="buyer@example.com", metadata={"order": "1001"})
        )

        assert result.status == GatewayStatus.PENDING
        assert result.amount == thb("1290")
        assert result.captured is None
        assert result.client_secret.startswith(f"{result.external_id}_secret_")
        assert "client_secret" not in result.raw  # raw is stored; the secret must not be
        [call] = stripe_server.calls("POST", INTENTS)
        assert call.idempotency_key == "tridex-create-P-1001"
        assert call.params == {
            "amount": "129000",
            "currency": "thb",
            "automatic_payment_methods": {"enabled": "true"},
            "capture_method": "automatic",
            "description": "Order 1001",
            "receipt_email": "buyer@example.com",
            "metadata": {"order": "1001", "tridex_reference": "P-1001"},
        }

    @pytest.mark.parametrize(
        ("amount", "sent"),
        [
            (Money("1290", "THB"), "129000"),
            (Money("12.34", "USD"), "1234"),
            (Money("1500", "JPY"), "1500"),  # JPY has no minor unit
            (Money("1.234", "KWD"), "1234"),  # KWD has three
        ],
    )
    def test_amount_uses_the_currency_minor_unit(self, stripe_server, stripe_gateway, amount, sent):
        result = stripe_gateway.create(payment(amount=amount))

        assert stripe_server.calls("POST", INTENTS)[0].params["amount"] == sent
        assert result.amount == amount

    def test_manual_capture_is_requested_when_capture_is_false(self, stripe_server, stripe_gateway):
        stripe_gateway.create(payment(capture=False))

        assert stripe_server.calls("POST", INTENTS)[0].params["capture_method"] == "manual"

    def test_retry_with_the_same_reference_returns_the_same_intent(
        self, stripe_server, stripe_gateway
    ):
        first = stripe_gateway.create(payment())
        again = stripe_gateway.create(payment())

        assert again.external_id == first.external_id
        assert again.client_secret == first.client_secret
        assert len(stripe_server.intents) == 1
        assert [c.replayed for c in stripe_server.calls("POST", INTENTS)] == [False, True]

    def test_same_reference_with_another_amount_is_refused(self, stripe_server, stripe_gateway):
        stripe_gateway.create(payment())

        with pytest.raises(GatewayError):
            stripe_gateway.create(payment(amount=thb("990")))
        assert len(stripe_server.intents) == 1

    def test_amount_below_stripes_minimum_is_a_gateway_error(self, stripe_gateway):
        with pytest.raises(GatewayError) as caught:
            stripe_gateway.create(payment(amount=thb("5")))

        assert caught.value.extra == {"provider_code": "amount_too_small"}


class TestRetrieve:
    def test_paid_intent_is_captured_with_the_amount_received(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)

        result = stripe_gateway.retrieve(intent_id)

        assert result.status == GatewayStatus.CAPTURED
        assert result.captured == thb("1290")
        assert [c.method for c in stripe_server.requests] == ["POST", "GET"]

    @pytest.mark.parametrize(
        "status",
        ["requires_payment_method", "requires_confirmation", "requires_action", "processing"],
    )
    def test_intents_awaiting_the_customer_are_pending(self, stripe_server, stripe_gateway, status):
        intent_id = stripe_gateway.create(payment()).external_id
        stripe_server.update_intent(intent_id, status=status)

        assert stripe_gateway.retrieve(intent_id).status == GatewayStatus.PENDING

    def test_declined_attempt_is_failed_with_a_translated_message(
        self, stripe_server, stripe_gateway
    ):
        intent_id = stripe_gateway.create(payment()).external_id
        stripe_server.fail(intent_id, "insufficient_funds")

        result = stripe_gateway.retrieve(intent_id)

        assert result.status == GatewayStatus.FAILED
        assert result.failure_message == "The card has insufficient funds."
        assert result.captured is None

    def test_authorized_intent(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)

        result = stripe_gateway.retrieve(intent_id)

        assert (result.status, result.captured) == (GatewayStatus.AUTHORIZED, None)

    def test_unknown_intent_is_a_gateway_error(self, stripe_gateway):
        with pytest.raises(GatewayError) as caught:
            stripe_gateway.retrieve("pi_doesnotexist")

        assert caught.value.extra == {"provider_code": "resource_missing"}


class TestCaptureAndVoid:
    def test_manual_flow_authorize_then_capture_all(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)

        result = stripe_gateway.capture(intent_id, amount=thb("1290"), idempotency_key="cap-1")

        assert result.status == GatewayStatus.CAPTURED
        assert result.captured == thb("1290")
        [call] = stripe_server.calls("POST", f"{INTENTS}/{intent_id}/capture")
        assert (call.params, call.idempotency_key) == ({"amount_to_capture": "129000"}, "cap-1")

    def test_partial_capture_reports_what_was_captured(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)

        result = stripe_gateway.capture(intent_id, amount=thb("1000.50"), idempotency_key="cap-1")

        assert (result.amount, result.captured) == (thb("1290"), thb("1000.50"))

    def test_retried_capture_is_replayed_not_repeated(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)
        first = stripe_gateway.capture(intent_id, amount=thb("1000"), idempotency_key="cap-1")

        again = stripe_gateway.capture(intent_id, amount=thb("1000"), idempotency_key="cap-1")

        assert again.captured == first.captured == thb("1000")
        calls = stripe_server.calls("POST", f"{INTENTS}/{intent_id}/capture")
        assert [c.replayed for c in calls] == [False, True]

    def test_capturing_more_than_authorized_is_refused(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)

        with pytest.raises(GatewayError):
            stripe_gateway.capture(intent_id, amount=thb("2000"), idempotency_key="cap-1")
        assert stripe_gateway.retrieve(intent_id).status == GatewayStatus.AUTHORIZED

    def test_capturing_an_unpaid_intent_is_refused(self, stripe_gateway):
        intent_id = stripe_gateway.create(payment(capture=False)).external_id

        with pytest.raises(GatewayError) as caught:
            stripe_gateway.capture(intent_id, amount=thb("1290"), idempotency_key="cap-1")
        assert caught.value.extra == {"provider_code": "payment_intent_unexpected_state"}

    def test_void_releases_an_authorization(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway, capture=False)

        result = stripe_gateway.void(intent_id, idempotency_key="void-1")

        assert result.status == GatewayStatus.CANCELLED
        [call] = stripe_server.calls("POST", f"{INTENTS}/{intent_id}/cancel")
        assert call.idempotency_key == "void-1"

    def test_void_of_an_unpaid_intent(self, stripe_gateway):
        intent_id = stripe_gateway.create(payment()).external_id

        assert stripe_gateway.void(intent_id, idempotency_key="v").status == GatewayStatus.CANCELLED

    def test_void_after_capture_is_refused(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)

        with pytest.raises(GatewayError):
            stripe_gateway.void(intent_id, idempotency_key="void-1")
        assert stripe_gateway.retrieve(intent_id).status == GatewayStatus.CAPTURED


class TestRefund:
    def test_full_refund(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)

        result = stripe_gateway.refund(intent_id, amount=thb("1290"), idempotency_key="ref-1")

        assert result.succeeded
        assert result.amount == thb("1290")
        assert result.external_id in stripe_server.refunds
        [call] = stripe_server.calls("POST", "/v1/refunds")
        assert call.params == {"payment_intent": intent_id, "amount": "129000"}
        assert call.idempotency_key == "ref-1"

    def test_partial_refunds_up_to_the_captured_amount(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)

        first = stripe_gateway.refund(intent_id, amount=thb("290"), idempotency_key="ref-1")
        second = stripe_gateway.refund(intent_id, amount=thb("1000"), idempotency_key="ref-2")

        assert (first.amount, second.amount) == (thb("290"), thb("1000"))
        with pytest.raises(GatewayError) as caught:
            stripe_gateway.refund(intent_id, amount=thb("1"), idempotency_key="ref-3")
        assert caught.value.extra == {"provider_code": "charge_already_refunded"}

    def test_refund_above_what_is_left_is_refused(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)
        stripe_gateway.refund(intent_id, amount=thb("1000"), idempotency_key="ref-1")

        with pytest.raises(GatewayError):
            stripe_gateway.refund(intent_id, amount=thb("291"), idempotency_key="ref-2")
        assert len(stripe_server.refunds) == 1

    def test_retried_refund_is_not_paid_twice(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)

        first = stripe_gateway.refund(intent_id, amount=thb("100"), idempotency_key="ref-1")
        again = stripe_gateway.refund(intent_id, amount=thb("100"), idempotency_key="ref-1")

        assert again.external_id == first.external_id
        assert len(stripe_server.refunds) == 1


class TestFailures:
    """Every failure surfaces as a GatewayError with a translated message; no SDK error leaks."""

    @pytest.mark.parametrize(
        ("kind", "message"),
        [
            ("card_declined", "The card was declined. Please use another card."),
            ("api_error", "The payment provider had a problem. Please try again."),
            ("rate_limit", "The payment provider is busy. Please try again in a moment."),
            ("disconnect", "The payment provider could not be reached. Please try again."),
        ],
    )
    def test_provider_failure_becomes_a_gateway_error(
        self, stripe_server, stripe_gateway, kind, message
    ):
        stripe_server.fail_next(kind)

        with pytest.raises(GatewayError) as caught:
            stripe_gateway.create(payment())

        assert caught.value.message == message
        assert isinstance(caught.value.__cause__, stripe.StripeError)
        assert stripe_server.intents == {}

    def test_card_decline_carries_stripes_code(self, stripe_server, stripe_gateway):
        stripe_server.fail_next("card_declined")

        with pytest.raises(GatewayError) as caught:
            stripe_gateway.create(payment())

        assert caught.value.as_dict() == {
            "code": "payment_gateway_error",
            "message": "The card was declined. Please use another card.",
            "provider_code": "card_declined",
        }

    def test_connection_refused(self, stripe_server):
        with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        gateway = gateway_for(stripe_server, api_base=f"http://127.0.0.1:{port}")

        with pytest.raises(GatewayError) as caught:
            gateway.create(payment())

        assert "could not be reached" in caught.value.message

    def test_timeout_then_retry_finds_the_intent_the_lost_answer_created(self, stripe_server):
        gateway = gateway_for(stripe_server, timeout=0.3)
        stripe_server.fail_next("timeout", delay=1.0)

        with pytest.raises(GatewayError):
            gateway.create(payment())
        _wait_until(lambda: stripe_server.intents)  # the slow request lands, as a real one can
        retried = gateway.create(payment())

        assert list(stripe_server.intents) == [retried.external_id]
        assert stripe_server.calls("POST", INTENTS)[-1].replayed

    def test_sdk_retries_a_transient_500_with_the_same_key(self, stripe_server):
        gateway = gateway_for(stripe_server, max_network_retries=1)
        stripe_server.fail_next("api_error")

        result = gateway.create(payment())

        calls = stripe_server.calls("POST", INTENTS)
        assert [c.status for c in calls] == [500, 200]
        assert {c.idempotency_key for c in calls} == {"tridex-create-P-1001"}
        assert list(stripe_server.intents) == [result.external_id]

    def test_wrong_api_key_is_a_gateway_error_and_the_key_is_never_logged(
        self, stripe_server, caplog
    ):
        wrong_key = "sk_test_0123456789wrongkey"
        gateway = gateway_for(stripe_server, secret_key=wrong_key)

        with (
            caplog.at_level(logging.WARNING, logger="tridex.payments"),
            pytest.raises(GatewayError) as caught,
        ):
            gateway.create(payment())

        assert caught.value.message.startswith("Card payments are unavailable")
        assert [c.status for c in stripe_server.requests] == [401]
        assert "AuthenticationError" in caplog.text
        assert wrong_key not in caplog.text and wrong_key not in repr(gateway)


class TestSettings:
    def test_from_settings_uses_the_configured_stripe(self, stripe_settings, stripe_server):
        result = StripeGateway.from_settings().create(payment())

        assert list(stripe_server.intents) == [result.external_id]
        assert stripe_publishable_key() == "pk_test_tridexfake"

    @pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
    def test_unconfigured_stripe_is_a_gateway_error(self, stripe_settings, missing):
        delattr(stripe_settings, missing)

        with pytest.raises(GatewayError) as caught:
            StripeGateway.from_settings()
        assert caught.value.code == "gateway_not_configured"

    def test_publishable_key_is_empty_when_not_set(self, settings):
        settings.STRIPE_PUBLISHABLE_KEY = ""
        assert stripe_publishable_key() == ""
        del settings.STRIPE_PUBLISHABLE_KEY
        assert stripe_publishable_key() == ""


class TestWebhookEvents:
    @pytest.mark.parametrize(
        ("event_type", "prepare", "status", "captured"),
        [
            ("payment_intent.created", None, GatewayStatus.PENDING, None),
            ("payment_intent.processing", "processing", GatewayStatus.PENDING, None),
            (
                "payment_intent.amount_capturable_updated",
                "authorize",
                GatewayStatus.AUTHORIZED,
                None,
            ),
            ("payment_intent.succeeded", "pay", GatewayStatus.CAPTURED, "1290"),
            ("payment_intent.payment_failed", "decline", GatewayStatus.FAILED, None),
            ("payment_intent.canceled", "cancel", GatewayStatus.CANCELLED, None),
            ("charge.succeeded", "pay", None, "1290"),
            ("charge.refunded", "refund", None, "1290"),
        ],
    )
    def test_event_is_reduced_to_the_payment_and_its_status(
        self, stripe_server, stripe_gateway, event_type, prepare, status, captured
    ):
        intent_id = stripe_gateway.create(payment(capture=prepare != "authorize")).external_id
        _bring(stripe_server, stripe_gateway, intent_id, prepare)
        body, headers = stripe_server.make_event(event_type, intent_id)

        event = stripe_gateway.parse_webhook(body, headers)

        sent = json.loads(body)
        assert (event.event_id, event.type, event.created) == (
            sent["id"],
            event_type,
            sent["created"],
        )
        assert event.external_id == intent_id
        assert event.status == status
        assert event.amount == thb("1290")
        assert event.captured == (thb(captured) if captured else None)
        assert event.raw == sent

    def test_event_about_another_object_changes_no_payment(self, stripe_server, stripe_gateway):
        body = json.dumps(
            {
                "id": "evt_1",
                "object": "event",
                "type": "customer.created",
                "created": 1700000000,
                "data": {"object": {"id": "cus_1", "object": "customer"}},
            }
        ).encode()
        headers = {"Stripe-Signature": stripe_server.sign(body)}

        event = stripe_gateway.parse_webhook(body, headers)

        assert (event.external_id, event.status, event.amount) == ("", None, None)

    @pytest.mark.parametrize(
        "headers",
        [
            lambda h: {"stripe-signature": h["Stripe-Signature"]},
            lambda h: {"HTTP_STRIPE_SIGNATURE": h["Stripe-Signature"]},
        ],
    )
    def test_header_is_found_whatever_its_case(self, stripe_server, stripe_gateway, headers):
        intent_id = stripe_gateway.create(payment()).external_id
        body, sent = stripe_server.make_event("payment_intent.created", intent_id)

        assert stripe_gateway.parse_webhook(body, headers(sent)).external_id == intent_id

    def test_deliver_posts_the_body_and_headers(self, stripe_server):
        status, answer = FakeStripe.deliver(stripe_server.url + "/v1/anything", b"{}", {})

        assert status == 401  # the fake itself answered: the request arrived, unauthenticated
        assert json.loads(answer)["error"]["type"] == "invalid_request_error"


class TestWebhookSignature:
    """Only a delivery signed with the endpoint's secret in the last five minutes is accepted."""

    @pytest.fixture
    def delivery(self, stripe_server, stripe_gateway):
        intent_id = paid_intent(stripe_server, stripe_gateway)
        return stripe_server.make_event("payment_intent.succeeded", intent_id)

    def test_valid_delivery_is_accepted(self, stripe_gateway, delivery):
        assert stripe_gateway.parse_webhook(*delivery).status == GatewayStatus.CAPTURED

    def test_tampered_body(self, stripe_gateway, delivery):
        body, headers = delivery
        tampered = body.replace(b'"amount": 129000', b'"amount": 100', 1)
        assert tampered != body

        with pytest.raises(InvalidWebhook):
            stripe_gateway.parse_webhook(tampered, headers)

    def test_wrong_secret(self, stripe_server, stripe_gateway, delivery):
        body, _ = delivery
        headers = {"Stripe-Signature": stripe_server.sign(body, secret="whsec_someoneelse")}

        with pytest.raises(InvalidWebhook):
            stripe_gateway.parse_webhook(body, headers)

    @pytest.mark.parametrize(("age", "accepted"), [(290, True), (310, False), (86400, False)])
    def test_signature_older_than_five_minutes_is_a_replay(
        self, stripe_server, stripe_gateway, delivery, age, accepted
    ):
        body, _ = delivery
        headers = {"Stripe-Signature": stripe_server.sign(body, timestamp=int(time.time()) - age)}

        if accepted:
            assert stripe_gateway.parse_webhook(body, headers).status == GatewayStatus.CAPTURED
        else:
            with pytest.raises(InvalidWebhook):
                stripe_gateway.parse_webhook(body, headers)

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Stripe-Signature": ""},
            {"Stripe-Signature": "garbage"},
            {"Stripe-Signature": "t=notanumber,v1=abc"},
            {"Stripe-Signature": f"t={int(time.time())}"},
            {"Stripe-Signature": f"t={int(time.time())},v1=" + "0" * 64},
        ],
    )
    def test_missing_or_malformed_signature(self, stripe_gateway, delivery, headers):
        with pytest.raises(InvalidWebhook):
            stripe_gateway.parse_webhook(delivery[0], headers)

    def test_rotated_secret_any_matching_v1_signature_is_enough(
        self, stripe_server, stripe_gateway
    ):
        intent_id = stripe_gateway.create(payment()).external_id
        body, headers = stripe_server.make_event(
            "payment_intent.created",
            intent_id,
            secret="whsec_oldsecret",
            extra_secrets=[stripe_server.webhook_secret],
        )
        assert headers["Stripe-Signature"].count("v1=") == 2

        assert stripe_gateway.parse_webhook(body, headers).external_id == intent_id

    @pytest.mark.parametrize(
        "body",
        [
            b"not json",
            b"[]",
            b'{"id": "evt_1"}',
            b'{"id": 1, "type": "x", "created": 1, "data": {}}',
            b"\xff\xfe\x00",
        ],
    )
    def test_signed_body_that_is_not_an_event(self, stripe_server, stripe_gateway, body):
        headers = {"Stripe-Signature": stripe_server.sign(body)}

        with pytest.raises(InvalidWebhook):
            stripe_gateway.parse_webhook(body, headers)


class TestFakeServer:
    """The fake answers like Stripe where the SDK can tell; checked here at the HTTP level."""

    def _post(self, server: FakeStripe, path: str, body: bytes, **headers: str):
        headers = {"Authorization": f"Bearer {server.api_key}", **headers}
        return FakeStripe.deliver(
            server.url + path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", **headers},
        )

    def test_replay_is_marked_and_unknown_parameters_are_refused(self, stripe_server):
        body = b"amount=2000&currency=thb"
        first = self._post(stripe_server, INTENTS, body, **{"Idempotency-Key": "k1"})
        again = self._post(stripe_server, INTENTS, body, **{"Idempotency-Key": "k1"})
        unknown = self._post(stripe_server, INTENTS, b"amount=2000&currency=thb&colour=red")

        assert first == again and first[0] == 200
        assert stripe_server.requests[1].replayed
        assert unknown[0] == 400
        assert json.loads(unknown[1])["error"] == {
            "type": "invalid_request_error",
            "code": "parameter_unknown",
            "message": "Received unknown parameter: colour",
            "param": "colour",
            "doc_url": "https://stripe.com/docs/error-codes/parameter_unknown",
        }

    def test_idempotency_key_reused_with_other_parameters(self, stripe_server):
        self._post(stripe_server, INTENTS, b"amount=2000&currency=thb", **{"Idempotency-Key": "k"})
        status, body = self._post(
            stripe_server, INTENTS, b"amount=3000&currency=thb", **{"Idempotency-Key": "k"}
        )

        assert status == 400
        assert json.loads(body)["error"]["type"] == "idempotency_error"


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _bring(server: FakeStripe, gateway: StripeGateway, intent_id: str, state: str | None) -> None:
    """Move an intent to the state a webhook test needs, the way it would get there."""
    if state in ("pay", "authorize", "refund"):
        server.succeed(intent_id)
    if state == "refund":
        gateway.refund(intent_id, amount=thb("290"), idempotency_key="ref-1")
    if state == "processing":
        server.update_intent(intent_id, status="processing")
    if state == "decline":
        server.fail(intent_id)
    if state == "cancel":
        gateway.void(intent_id, idempotency_key="void-1")
