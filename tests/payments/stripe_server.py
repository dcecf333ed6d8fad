"""A local fake of the slice of Stripe's API that ``StripeGateway`` uses.

Tests run the real ``stripe`` SDK against it over real HTTP, so what is tested is the request the
SDK actually sends (form encoding, headers, idempotency keys) and the answer it actually parses;
nothing in the gateway or the SDK is patched.

It behaves like Stripe where the gateway can tell the difference:

- ``POST /v1/payment_intents``, ``GET /v1/payment_intents/{id}``,
  ``POST /v1/payment_intents/{id}/capture``, ``POST /v1/payment_intents/{id}/cancel`` and
  ``POST /v1/refunds``; anything else is a 404 "Unrecognized request URL".
- Bearer (or Basic) auth with one secret key; a wrong key is a 401.
- Errors in Stripe's shape ``{"error": {"type", "code", "message", "param"}}``: 400 for bad
  parameters or a wrong state, 402 for card errors, 404 for unknown ids.
- ``Idempotency-Key`` on POST: the same key with the same parameters replays the first answer
  with ``Idempotent-Replayed: true``; with other parameters it is a 400 ``idempotency_error``.
  As at Stripe, an answer is stored only once the endpoint ran: requests whose parameters fail
  validation are not stored, and neither are failures injected with ``fail_next`` (they model
  trouble in front of the API: a load balancer, the network).
- Objects start from Stripe's own examples (``stripe_fixtures.json``, from stripe/openapi's
  ``fixtures3.json``) with ids, amounts and states overridden, so their shape is Stripe's.

Test controls: ``succeed``/``fail`` play the customer at the Payment Element, ``update_intent``
forces any state, ``fail_next`` makes the next requests fail, ``make_event`` builds a signed
webhook delivery and ``deliver`` POSTs one to a URL. ``requests`` records every call.

Delivering a webhook to a Django view with the test client::

    body, headers = stripe_server.make_event("payment_intent.succeeded", intent_id)
    client.post(url, data=body, content_type="application/json", headers=headers)
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES_PATH = Path(__file__).with_name("stripe_fixtures.json")

Json = dict[str, Any]

_CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
_AWAITING_CUSTOMER = ("requires_payment_method", "requires_confirmation", "requires_action")
# Stripe's minimum charge amounts, in the smallest unit, for the currencies tests use.
_MINIMUM_AMOUNT = {"thb": 1000, "usd": 50, "eur": 50, "gbp": 30, "jpy": 50, "sgd": 50}
_CARD_ERRORS = {
    "card_declined": "Your card was declined.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "insufficient_funds": "Your card has insufficient funds.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
}


class StripeApiError(Exception):
    """An error answer in Stripe's shape; ``stored`` says whether idempotency keeps it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        stored: bool = True,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.stored = stored
        self.body: Json = {
            "error": {"type": type, "code": code, "message": message, "param": param, **extra}
        }
        if code:
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code}"


def _param_error(message: str, *, param: str, code: str | None = None) -> StripeApiError:
    """A parameter validation error: Stripe does not store these under an idempotency key."""
    return StripeApiError(400, message, code=code, param=param, stored=False)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: Json
    idempotency_key: str | None
    status: int
    replayed: bool = False


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Json
    headers: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    fingerprint: tuple[Any, ...]
    reply: _Reply
    request_id: str


def new_id(prefix: str) -> str:
    """An id shaped like Stripe's: a prefix and 24 letters and digits."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "_" + "".join(secrets.choice(alphabet) for _ in range(24))


def decode_params(pairs: Iterable[tuple[str, str]]) -> Json:
    """Decode Stripe's form encoding (``metadata[key]=v``, ``a[0]=x``) into nested dicts."""
    result: Json = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class FakeStripe:
    """The fake server and its state; use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self, *, api_key: str = "sk_test_tridexfake", webhook_secret: str = "whsec_tridexfake"
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.intents: dict[str, Json] = {}
        self.charges: dict[str, Json] = {}
        self.refunds: dict[str, Json] = {}
        self.requests: list[RecordedRequest] = []
        self.api_version: str | None = None  # the Stripe-Version the SDK sent; events carry it
        self._stored: dict[str, _Stored] = {}
        self._failures: deque[tuple[str, float]] = deque()
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._examples: Json = json.loads(FIXTURES_PATH.read_text())["resources"]

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        # A short poll keeps shutdown() (once per test) from waiting the default half second.
        serve = functools.partial(self._httpd.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- test controls ---------------------------------------------------------------------

    def succeed(self, intent_id: str) -> Json:
        """The customer paid: ``succeeded``, or ``requires_capture`` for manual capture."""
        with self._lock:
            intent = self.intents[intent_id]
            if intent["status"] not in (*_AWAITING_CUSTOMER, "processing"):
                raise ValueError(f"cannot pay an intent in status {intent['status']}")
            manual = intent["capture_method"] == "manual"
            charge = self._new_charge(intent, captured=not manual)
            intent.update(
                status="requires_capture" if manual else "succeeded",
                amount_capturable=intent["amount"] if manual else 0,
                amount_received=0 if manual else intent["amount"],
                latest_charge=charge["id"],
                payment_method=charge["payment_method"],
                last_payment_error=None,
            )
            return copy.deepcopy(intent)

    def fail(self, intent_id: str, code: str = "card_declined") -> Json:
        """The customer's payment attempt failed; the intent waits for another method."""
        with self._lock:
            intent = self.intents[intent_id]
            charge = self._new_charge(intent, captured=False, failure_code=code)
            intent.update(
                status="requires_payment_method",
                latest_charge=charge["id"],
                last_payment_error={
                    "type": "card_error",
                    "code": code,
                    "decline_code": "generic_decline" if code == "card_declined" else None,
                    "message": _CARD_ERRORS.get(code, _CARD_ERRORS["card_declined"]),
                    "doc_url": f"https://stripe.com/docs/error-codes/{code}",
                    "charge": charge["id"],
                    "payment_method": {"id": charge["payment_method"], "type": "card"},
                },
            )
            return copy.deepcopy(intent)

    def update_intent(self, intent_id: str, **fields: Any) -> Json:
        """Force fields of an intent (a status Stripe reaches without the gateway's help)."""
        with self._lock:
            self.intents[intent_id].update(fields)
            return copy.deepcopy(self.intents[intent_id])

    def fail_next(self, kind: str = "api_error", *, times: int = 1, delay: float = 1.0) -> None:
        """Make the next ``times`` requests fail.

        ``kind``: ``api_error`` (500), ``card_declined`` (402), ``rate_limit`` (429),
        ``disconnect`` (the connection closes with no answer) or ``timeout`` (the answer comes
        ``delay`` seconds late, after the request did take effect, as a real timeout can).
        """
        if kind not in ("api_error", "card_declined", "rate_limit", "disconnect", "timeout"):
            raise ValueError(kind)
        with self._lock:
            self._failures.extend([(kind, delay)] * times)

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        """The recorded requests to one endpoint, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def make_event(
        self,
        type: str,
        intent_id: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        extra_secrets: Iterable[str] = (),
    ) -> tuple[bytes, dict[str, str]]:
        """Return a webhook delivery about ``intent_id`` as it stands: (body, headers).

        ``charge.*`` events carry the intent's latest charge. The body is signed like Stripe
        signs it, with ``secret`` (default: the endpoint's) and each of ``extra_secrets``.
        """
        event = self._event(type, intent_id)
        body = json.dumps(event, indent=2).encode()
        signature = self.sign(body, secret=secret, timestamp=timestamp, extra_secrets=extra_secrets)
        return body, {"Content-Type": "application/json", "Stripe-Signature": signature}

    def sign(
        self,
        body: bytes,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        extra_secrets: Iterable[str] = (),
    ) -> str:
        """The ``Stripe-Signature`` value: ``t=…,v1=…[,v1=…],v0=…`` (HMAC-SHA256 of "t.body").

        Test mode adds a ``v0`` signature Stripe's libraries must ignore; so does this.
        """
        stamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{stamp}.".encode() + body
        keys = [secret or self.webhook_secret, *extra_secrets]
        parts = [f"t={stamp}"]
        parts += [f"v1={hmac.new(k.encode(), signed, hashlib.sha256).hexdigest()}" for k in keys]
        parts.append(f"v0={hmac.new(b'test-mode', signed, hashlib.sha256).hexdigest()}")
        return ",".join(parts)

    @staticmethod
    def deliver(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST a webhook delivery to a live server (``live_server.url + path``)."""
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> _Reply | None:
        """Answer one request (``None``: drop the connection without an answer)."""
        split = urlsplit(target)
        raw = split.query if method == "GET" else body.decode()
        pairs = parse_qsl(raw, keep_blank_values=True)
        params = decode_params(pairs)
        key = headers.get("Idempotency-Key") if method == "POST" else None
        self.api_version = headers.get("Stripe-Version") or self.api_version
        failure = self._take_failure()
        late = failure[1] if failure and failure[0] == "timeout" else 0.0
        if late:
            failure = None
        with self._lock:
            reply, replayed = self._answer(method, split.path, headers, params, pairs, key, failure)
            status = reply.status if reply else 0  # 0: the connection was dropped
            self.requests.append(RecordedRequest(method, split.path, params, key, status, replayed))
        # A timeout: the request took effect, but its answer comes too late for the client.
        time.sleep(late)
        return reply

    def _take_failure(self) -> tuple[str, float] | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _answer(
        self,
        method: str,
        path: str,
        headers: Any,
        params: Json,
        pairs: list[tuple[str, str]],
        key: str | None,
        failure: tuple[str, float] | None,
    ) -> tuple[_Reply | None, bool]:
        """Return (reply, replayed); a ``None`` reply drops the connection."""
        request_id = new_id("req")
        try:
            self._authenticate(headers.get("Authorization") or "")
            if failure:
                self._injected(failure[0])
        except StripeApiError as exc:
            return self._reply(exc.status, exc.body, request_id, key), False
        except ConnectionAbortedError:
            return None, False
        fingerprint = (method, path, tuple(sorted(pairs)))
        stored = self._stored.get(key) if key else None
        if key and stored:
            return self._replay(stored, fingerprint, key, request_id)
        reply, keep = self._run(method, path, params, request_id, key)
        if key and keep:
            self._stored[key] = _Stored(fingerprint, reply, request_id)
        return reply, False

    def _replay(
        self, stored: _Stored, fingerprint: tuple[Any, ...], key: str, request_id: str
    ) -> tuple[_Reply, bool]:
        if stored.fingerprint != fingerprint:
            error = StripeApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )
            return self._reply(400, error.body, request_id, key), False
        headers = {
            **stored.reply.headers,
            "Request-Id": request_id,
            "Idempotent-Replayed": "true",
            "Original-Request": stored.request_id,
        }
        return _Reply(stored.reply.status, stored.reply.body, headers), True

    def _run(
        self, method: str, path: str, params: Json, request_id: str, key: str | None
    ) -> tuple[_Reply, bool]:
        """Return the endpoint's reply and whether Stripe would store it under a key."""
        try:
            body = self._route(method, path)(params)
        except StripeApiError as exc:
            return self._reply(exc.status, exc.body, request_id, key), exc.stored
        return self._reply(200, body, request_id, key), True

    @staticmethod
    def _reply(status: int, body: Json, request_id: str, key: str | None) -> _Reply:
        headers = {"Request-Id": request_id}
        if key:
            headers["Idempotency-Key"] = key
        return _Reply(status, copy.deepcopy(body), headers)

    def _authenticate(self, authorization: str) -> None:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() == "basic":
            credential = base64.b64decode(credential).decode().partition(":")[0]
        elif scheme.lower() != "bearer":
            credential = ""
        if not credential:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if not hmac.compare_digest(credential, self.api_key):
            masked = credential[:8] + "*" * max(len(credential) - 12, 0) + credential[-4:]
            raise StripeApiError(401, f"Invalid API Key provided: {masked}")

    @staticmethod
    def _injected(kind: str) -> None:
        if kind == "disconnect":
            raise ConnectionAbortedError
        if kind == "card_declined":
            raise StripeApiError(
                402,
                _CARD_ERRORS["card_declined"],
                type="card_error",
                code="card_declined",
                decline_code="generic_decline",
            )
        if kind == "rate_limit":
            raise StripeApiError(
                429,
                "Too many requests hit the API too quickly.",
                code="rate_limit",
            )
        raise StripeApiError(
            500,
            "Something went wrong on Stripe's end. (Request req_fake)",
            type="api_error",
        )

    def _route(self, method: str, path: str) -> Callable[[Json], Json]:
        routes: list[tuple[str, str, Callable[..., Json]]] = [
            ("POST", r"/v1/payment_intents", self._create_intent),
            ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", self._retrieve_intent),
            ("POST", r"/v1/payment_intents/(?P<id>[^/]+)/capture", self._capture_intent),
            ("POST", r"/v1/payment_intents/(?P<id>[^/]+)/cancel", self._cancel_intent),
            ("POST", r"/v1/refunds", self._create_refund),
        ]
        for verb, pattern, view in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return lambda params, view=view, match=match: view(params, **match.groupdict())
        raise StripeApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs.",
            stored=False,
        )

    # -- endpoints -------------------------------------------------------------------------

    def _create_intent(self, params: Json) -> Json:
        _allow(params, "amount", "currency", "automatic_payment_methods", "capture_method",
               "description", "receipt_email", "metadata", "expand")  # fmt: skip
        currency = _required(params, "currency").lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise _param_error(f"Invalid currency: {currency}.", param="currency")
        amount = _integer(params, "amount", required=True)
        minimum = _MINIMUM_AMOUNT.get(currency, 1)
        if amount < minimum:
            raise StripeApiError(
                400,
                f"Amount must be at least {minimum} in the smallest unit of {currency}.",
                code="amount_too_small",
                param="amount",
            )
        capture_method = params.get("capture_method", "automatic")
        if capture_method not in ("automatic", "automatic_async", "manual"):
            raise _param_error(
                "Invalid capture_method: must be one of automatic, automatic_async, or manual",
                param="capture_method",
            )
        _check_metadata(params.get("metadata", {}))
        _check_email(params)
        intent = self._new_intent(params, amount=amount, currency=currency)
        intent["capture_method"] = capture_method
        return copy.deepcopy(intent)

    def _retrieve_intent(self, params: Json, id: str) -> Json:
        _allow(params, "expand", "client_secret")
        return copy.deepcopy(self._intent(id))

    def _capture_intent(self, params: Json, id: str) -> Json:
        _allow(params, "amount_to_capture", "metadata", "expand")
        intent = self._intent(id)
        if intent["status"] != "requires_capture":
            raise _unexpected_state(intent, "captured", "requires_capture")
        amount = _integer(params, "amount_to_capture") or intent["amount_capturable"]
        if amount > intent["amount_capturable"]:
            raise StripeApiError(
                400,
                "The amount to capture must be less than or equal to the amount capturable "
                f"({intent['amount_capturable']}).",
                code="amount_too_large",
                param="amount_to_capture",
            )
        charge = self.charges[intent["latest_charge"]]
        charge.update(captured=True, amount_captured=amount)
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return copy.deepcopy(intent)

    def _cancel_intent(self, params: Json, id: str) -> Json:
        _allow(params, "cancellation_reason", "expand")
        intent = self._intent(id)
        if intent["status"] not in _CANCELABLE:
            raise _unexpected_state(intent, "canceled", ", ".join(_CANCELABLE))
        intent.update(
            status="canceled",
            amount_capturable=0,
            canceled_at=int(time.time()),
            cancellation_reason=params.get("cancellation_reason"),
        )
        return copy.deepcopy(intent)

    def _create_refund(self, params: Json) -> Json:
        _allow(params, "payment_intent", "amount", "reason", "metadata", "expand")
        intent = self._intent(_required(params, "payment_intent"), param="payment_intent")
        if intent["status"] != "succeeded":
            raise StripeApiError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="payment_intent_unexpected_state",
                param="payment_intent",
            )
        charge = self.charges[intent["latest_charge"]]
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _integer(params, "amount") or remaining
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining}).",
                code="amount_too_large",
                param="amount",
            )
        return copy.deepcopy(self._new_refund(intent, charge, amount, params))

    # -- objects ---------------------------------------------------------------------------

    def _intent(self, intent_id: str, *, param: str = "intent") -> Json:
        if intent_id not in self.intents:
            raise StripeApiError(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param=param,
            )
        return self.intents[intent_id]

    def _new_intent(self, params: Json, *, amount: int, currency: str) -> Json:
        intent = copy.deepcopy(self._examples["payment_intent"])
        intent_id = new_id("pi")
        enabled = params.get("automatic_payment_methods", {}).get("enabled") == "true"
        intent.update(
            id=intent_id,
            amount=amount,
            amount_capturable=0,
            amount_received=0,
            currency=currency,
            automatic_payment_methods={"enabled": enabled},
            client_secret=f"{intent_id}_secret_{new_id('s')[2:]}",
            created=int(time.time()),
            description=params.get("description"),
            receipt_email=params.get("receipt_email"),
            metadata=params.get("metadata", {}),
            status="requires_payment_method",
            canceled_at=None,
            last_payment_error=None,
            latest_charge=None,
            next_action=None,
            processing=None,
            transfer_data=None,
            payment_method_types=["card", "promptpay"] if currency == "thb" else ["card"],
        )
        self.intents[intent_id] = intent
        return intent

    def _new_charge(self, intent: Json, *, captured: bool, failure_code: str | None = None) -> Json:
        charge = copy.deepcopy(self._examples["charge"])
        charge_id = new_id("ch")
        charge.update(
            id=charge_id,
            amount=intent["amount"],
            amount_captured=intent["amount"] if captured else 0,
            amount_refunded=0,
            captured=captured,
            created=int(time.time()),
            currency=intent["currency"],
            description=intent["description"],
            metadata=copy.deepcopy(intent["metadata"]),
            paid=failure_code is None,
            payment_intent=intent["id"],
            payment_method=new_id("pm"),
            receipt_email=intent["receipt_email"],
            refunded=False,
            refunds={
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/charges/{charge_id}/refunds",
            },
            status="failed" if failure_code else "succeeded",
            failure_code=failure_code,
            failure_message=_CARD_ERRORS.get(failure_code) if failure_code else None,
            balance_transaction=None if failure_code else new_id("txn"),
            outcome=_outcome(failure_code),
            source=None,
            transfer_data=None,
        )
        self.charges[charge_id] = charge
        return charge

    def _new_refund(self, intent: Json, charge: Json, amount: int, params: Json) -> Json:
        refund = copy.deepcopy(self._examples["refund"])
        refund.update(
            id=new_id("re"),
            amount=amount,
            balance_transaction=new_id("txn"),
            charge=charge["id"],
            created=int(time.time()),
            currency=intent["currency"],
            metadata=params.get("metadata", {}),
            payment_intent=intent["id"],
            reason=params.get("reason"),
            status="succeeded",
        )
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))
        return refund

    def _event(self, type: str, intent_id: str) -> Json:
        with self._lock:
            intent = self.intents[intent_id]
            if type.startswith("charge."):
                if not intent["latest_charge"]:
                    raise ValueError(f"{intent_id} has no charge yet")
                obj = self.charges[intent["latest_charge"]]
            else:
                obj = intent
            event = copy.deepcopy(self._examples["event"])
            event.update(
                id=new_id("evt"),
                type=type,
                created=int(time.time()),
                data={"object": copy.deepcopy(obj)},
                api_version=self.api_version,
                livemode=False,
                pending_webhooks=1,
                request={"id": new_id("req"), "idempotency_key": None},
            )
            return event


def _allow(params: Json, *names: str) -> None:
    for name in params:
        if name not in names:
            raise _param_error(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )


def _required(params: Json, name: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        raise _param_error(f"Missing required param: {name}.", param=name, code="parameter_missing")
    return str(value)


def _integer(params: Json, name: str, *, required: bool = False) -> int:
    """The integer parameter ``name`` (0 when absent and optional)."""
    if name not in params and not required:
        return 0
    value = _required(params, name)
    if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
        raise _param_error(
            f"Invalid positive integer: {value}", param=name, code="parameter_invalid_integer"
        )
    return int(value)


def _check_metadata(metadata: Json) -> None:
    if len(metadata) > 50:
        raise _param_error("Metadata can have up to 50 keys.", param="metadata")
    for key, value in metadata.items():
        if len(key) > 40 or len(value) > 500:
            raise _param_error(
                "Metadata keys can have up to 40 characters and values up to 500 characters.",
                param=f"metadata[{key}]",
            )


def _check_email(params: Json) -> None:
    email = params.get("receipt_email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise _param_error(
            f"Invalid email address: {email}", param="receipt_email", code="email_invalid"
        )


def _outcome(failure_code: str | None) -> Json:
    """The ``outcome`` of a charge, as Stripe reports an approval or an issuer's decline."""
    declined = failure_code is not None
    return {
        "advice_code": "try_again_later" if declined else None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "declined_by_network" if declined else "approved_by_network",
        "reason": "generic_decline" if declined else None,
        "risk_level": "normal",
        "seller_message": "The bank did not return any further details with this decline."
        if declined
        else "Payment complete.",
        "type": "issuer_declined" if declined else "authorized",
    }


def _unexpected_state(intent: Json, verb: str, allowed: str) -> StripeApiError:
    return StripeApiError(
        400,
        f"This PaymentIntent could not be {verb} because it has a status of "
        f"{intent['status']}. Only a PaymentIntent with one of the following statuses may be "
        f"{verb}: {allowed}.",
        code="payment_intent_unexpected_state",
        payment_intent=copy.deepcopy(intent),
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected; anything else is reported."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeStripe/1.0"

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = fake.handle(method, self.path, self.headers, body)
            if reply is None:
                self.close_connection = True
                return
            payload = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Stripe-Version", self.headers.get("Stripe-Version") or "")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on ``FakeStripe.requests`` instead."""

    return Handler
