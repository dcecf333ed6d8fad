"""The back office for orders and payments: the order list, the order page with its timeline,
and the buttons staff press to confirm money, ship, refund and cancel.

An order is never edited as a form. Every change to one goes through the ``orders`` and
``payments`` services, which check the state machine, move stock and money and write the
timeline in one transaction; a free-form edit of a total or a status would skip all of that.
So the order page is a read-only record, and each thing staff may do is a small POST form to
its own admin URL that calls one service and shows a refusal (a ``DomainError``) as a message.

These admins live in dashboard rather than in ``orders/admin.py`` because the order page shows
payments, and ``orders`` sits below ``payments``; dashboard, an edge layer, may import both.
"""

from __future__ import annotations

import uuid
from abc import ABCMeta, abstractmethod
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects
from django.forms.forms import DeclarativeFieldsMetaclass
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record, diff, snapshot
from tridex.core.errors import Conflict, DomainError
from tridex.inventory.selectors import fulfilment_in_scope
from tridex.orders.models import Order, OrderLine, OrderStatus, Shipment
from tridex.orders.selectors import order_address_lines
from tridex.orders.services import (
    CANCELLABLE,
    SHIPPABLE,
    TRANSITIONS,
    UnitsBack,
    order_mark_delivered,
    order_ship,
    order_transition,
)
from tridex.payments.gateways.promptpay import promptpay_payload
from tridex.payments.models import Method, Payment, PaymentOption, Refund
from tridex.payments.selectors import payment_awaiting_confirmation
from tridex.payments.services import (
    order_cancel_with_payments,
    payment_confirm,
    payment_refund,
    refund_record_sent,
)
from tridex.payments.timeline import event_sentence, reason_text

_ = gettext_lazy
S = OrderStatus


def _money(order: Order, amount: Decimal) -> str:
    return order.money(amount).format()


def _choice_label(choices: type[Method] | type[OrderStatus], value: str) -> str:
    """The label of a stored code, or the code itself if it is no longer a choice."""
    return str(choices(value).label) if value in choices.values else value


# --- Actions -------------------------------------------------------------------------------


class _AbstractFormMeta(DeclarativeFieldsMetaclass, ABCMeta):
    """Django's form metaclass with ``abc``'s: an action form must define every action hook."""


class OrderActionForm(forms.Form, metaclass=_AbstractFormMeta):
    """One thing staff can do to an order: when it applies, its inputs, the service it calls.

    ``applies_to`` only decides which forms the page shows; the service called by ``perform``
    still has the last word, so a stale page or a hand-made POST is refused the same way.
    """

    name: ClassVar[str]
    title: ClassVar[str | Promise]
    help_text: ClassVar[str | Promise]
    submit_label: ClassVar[str | Promise]
    dangerous: ClassVar[bool] = False
    summary = ""  # what this order's case of the action is about, shown under the help text

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")  # several forms share one page
        super().__init__(*args, **kwargs)
        self.order = order

    @classmethod
    @abstractmethod
    def applies_to(cls, order: Order) -> bool:
        """Whether the order page offers this action for ``order`` now."""

    @abstractmethod
    def perform(self, *, actor: str) -> str:
        """Call the service; return the success message or raise a ``DomainError``."""

    def add_line_fields(
        self, label: str | Promise, units: dict[OrderLine, int], initial: bool, kind: str = "line"
    ) -> None:
        """One quantity field per order line, named ``<kind>_<id>``, up to ``units[line]``."""
        for line, most in units.items():
            if most > 0:
                self.fields[f"{kind}_{line.pk}"] = forms.IntegerField(
                    label=str(label) % {"sku": line.sku},
                    help_text=gettext("%(name)s, at most %(n)d")
                    % {"name": _line_name(line), "n": most},
                    min_value=0,
                    max_value=most,
                    initial=most if initial else 0,
                    required=False,
                )

    def line_quantities(self, kind: str = "line") -> dict[int, int]:
        """The quantities submitted in the ``kind`` fields, by order line id; a field left
        empty counts as zero and a field not submitted at all is left out."""
        prefix = f"{kind}_"
        return {
            int(name.removeprefix(prefix)): self.cleaned_data.get(name) or 0
            for name in self.fields
            if name.startswith(prefix) and self.add_prefix(name) in self.data
        }


def _line_name(line: OrderLine) -> str:
    return " · ".join(filter(None, [line.product_name, line.variant_name]))


class ConfirmPaymentForm(OrderActionForm):
    name = "confirm_payment"
    title = _("Confirm payment")
    help_text = _(
        "Record that the money arrived: the PromptPay transfer is in the shop's account, the "
        "courier collected the cash, or the authorized card payment is to be captured."
    )
    submit_label = _("Confirm payment")

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return payment_awaiting_confirmation(order=order) is not None

    def perform(self, *, actor: str) -> str:
        payment = payment_awaiting_confirmation(order=self.order)
        if payment is None:
            raise Conflict(gettext("No payment is waiting to be confirmed."), code="no_payment")
        payment_confirm(payment=payment, actor=actor)
        return gettext("Payment %(reference)s confirmed.") % {"reference": payment.reference}


class MarkProcessingForm(OrderActionForm):
    name = "mark_processing"
    title = _("Mark processing")
    help_text = _("The order is being prepared; the customer sees it on the order page.")
    submit_label = _("Mark processing")

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return S.PROCESSING in TRANSITIONS[order.status] and order.status != S.PENDING_PAYMENT

    def perform(self, *, actor: str) -> str:
        # The state machine lets an unpaid order go to processing for cash on delivery, which
        # the checkout does while selling the held stock. Done here, the stock would stay only
        # held and its hold would expire under a parcel being packed.
        if self.order.status == S.PENDING_PAYMENT:
            raise Conflict(
                gettext("Confirm the payment first: an unpaid order's stock is only held."),
                code="unpaid",
            )
        order_transition(order=self.order, to=S.PROCESSING, actor=actor)
        return gettext("The order is now processing.")


class ShipForm(OrderActionForm):
    name = "ship"
    title = _("Ship")
    help_text = _("Record a parcel. Lower a quantity to ship part of the order now.")
    submit_label = _("Record shipment")

    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    tracking_url = forms.URLField(label=_("Tracking link"), required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        unshipped = {line: line.quantity_to_ship for line in order.lines.all()}
        self.add_line_fields(_("Units of %(sku)s"), unshipped, initial=True)

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return order.status in SHIPPABLE

    def perform(self, *, actor: str) -> str:
        shipment = order_ship(
            order=self.order,
            carrier=self.cleaned_data["carrier"],
            tracking_number=self.cleaned_data["tracking_number"],
            tracking_url=self.cleaned_data["tracking_url"],
            lines=self.line_quantities() or None,
            actor=actor,
        )
        return gettext("Shipment with %(carrier)s recorded.") % {"carrier": shipment.carrier}


class MarkDeliveredForm(OrderActionForm):
    name = "mark_delivered"
    title = _("Mark delivered")
    help_text = _("The carrier delivered every parcel of this order.")
    submit_label = _("Mark delivered")

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return S.DELIVERED in TRANSITIONS[order.status]

    def perform(self, *, actor: str) -> str:
        order_mark_delivered(order=self.order, actor=actor)
        return gettext("The order is marked as delivered.")


class RefundForm(OrderActionForm):
    name = "refund"
    title = _("Refund")
    help_text = _(
        "The money goes back to the payment it came from. Units not yet shipped that you take "
        "off the order go back to stock; units the customer sent back go back to stock if you "
        "tick the box."
    )
    submit_label = _("Refund")
    dangerous = True

    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=4)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
    restock_returned = forms.BooleanField(
        label=_("Put returned units back in stock"),
        help_text=_("Leave unticked for damaged returns."),
        required=False,
        initial=True,
    )
    # One per rendered form: a double click or a resubmitted page refunds once.
    request_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4()
        self.fields["amount"].initial = order.refundable.amount
        self.fields["amount"].help_text = gettext("In %(currency)s, at most %(amount)s.") % {
            "currency": order.currency,
            "amount": order.refundable.format(),
        }
        lines = list(order.lines.all())
        self.add_line_fields(
            _("Units of %(sku)s not shipped, taken off the order"),
            {line: line.quantity_to_ship for line in lines},
            initial=False,
            kind="cancel",
        )
        self.add_line_fields(
            _("Units of %(sku)s returned by the customer"),
            {line: line.quantity_returnable for line in lines},
            initial=False,
            kind="return",
        )
        if not any(line.quantity_returnable for line in lines):
            del self.fields["restock_returned"]

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return order.refundable.amount > 0

    def perform(self, *, actor: str) -> str:
        amount = self.order.money(self.cleaned_data["amount"])
        units = UnitsBack(
            cancelled={pk: n for pk, n in self.line_quantities("cancel").items() if n},
            returned={pk: n for pk, n in self.line_quantities("return").items() if n},
            restock_returned=bool(self.cleaned_data.get("restock_returned")),
        )
        payment_refund(
            order=self.order,
            amount=amount,
            units=units,
            actor=actor,
            reason=self.cleaned_data["reason"],
            request_key=str(self.cleaned_data["request_key"] or ""),
        )
        return gettext("Refunded %(amount)s.") % {"amount": amount.format()}


def _refund_to_send(order: Order) -> Refund | None:
    """The oldest refund waiting for staff to send it back by hand (PromptPay, cash)."""
    return (
        Refund.objects.filter(payment__order=order, status=Refund.Status.TO_SEND)
        .order_by("created_at", "id")
        .first()
    )


class RefundSentForm(OrderActionForm):
    name = "refund_sent"
    title = _("Refund to send")
    help_text = _(
        "PromptPay and cash are given back by hand. Send the money to the customer (a bank "
        "transfer or cash), then record it here; the customer is told by email."
    )
    submit_label = _("Record refund sent")

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.refund = _refund_to_send(order)
        if self.refund is not None:
            self.summary = gettext("%(amount)s: %(reason)s") % {
                "amount": order.money(self.refund.amount).format(),
                "reason": reason_text(self.refund.reason),
            }

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return _refund_to_send(order) is not None

    def perform(self, *, actor: str) -> str:
        if self.refund is None:
            raise Conflict(gettext("No refund is waiting to be sent."), code="refund_not_to_send")
        refund = refund_record_sent(refund_id=self.refund.pk, actor=actor)
        return gettext("Refund of %(amount)s recorded as sent.") % {
            "amount": self.order.money(refund.amount).format()
        }


class CancelForm(OrderActionForm):
    name = "cancel"
    title = _("Cancel order")
    help_text = _(
        "Unpaid payments are voided, what was paid is refunded and unshipped units go back to "
        "stock. This cannot be undone."
    )
    submit_label = _("Cancel order")
    dangerous = True

    reason = forms.CharField(label=_("Reason"), max_length=255)

    @classmethod
    def applies_to(cls, order: Order) -> bool:
        return order.status in CANCELLABLE

    def perform(self, *, actor: str) -> str:
        order_cancel_with_payments(
            order=self.order, actor=actor, reason=self.cleaned_data["reason"]
        )
        return gettext("Order %(number)s cancelled.") % {"number": self.order.number}


ACTIONS: dict[str, type[OrderActionForm]] = {
    form.name: form
    for form in (
        ConfirmPaymentForm,
        MarkProcessingForm,
        ShipForm,
        MarkDeliveredForm,
        RefundForm,
        RefundSentForm,
        CancelForm,
    )
}


def _form_errors(form: forms.Form) -> Iterator[str]:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            yield f"{label}: {error}" if label else str(error)


def _actor(request: HttpRequest) -> str:
    return str(getattr(request.user, "email", "") or request.user.get_username())


# --- The order admin -----------------------------------------------------------------------


class PaymentMethodFilter(admin.SimpleListFilter):
    """By the method chosen at checkout, with its label (the column stores the code)."""

    title = _("payment method")
    parameter_name = "payment_method"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Method.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        value = self.value()
        return queryset.filter(payment_method=value) if value else queryset


class HasShipmentFilter(admin.SimpleListFilter):
    title = _("shipment")
    parameter_name = "shipped"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (("yes", _("Has a shipment")), ("no", _("No shipment yet")))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        shipped = Exists(Shipment.objects.filter(order=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(shipped)
        if self.value() == "no":
            return queryset.filter(~shipped)
        return queryset


class RefundToSendFilter(admin.SimpleListFilter):
    """Orders holding money staff must send back by hand (a PromptPay transfer made twice, a
    payment that arrived for a cancelled order)."""

    title = _("refund to send")
    parameter_name = "refund_to_send"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (("yes", _("Waiting for staff")),)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() != "yes":
            return queryset
        waiting = Refund.objects.filter(payment__order=OuterRef("pk"), status=Refund.Status.TO_SEND)
        return queryset.filter(Exists(waiting))


class OrderLineInline(admin.TabularInline):
    """The lines as bought: the snapshot taken at checkout, never edited afterwards."""

    model = OrderLine
    fields = (
        "product_name",
        "variant_name",
        "sku",
        "quantity",
        "unit_price_display",
        "tax_display",
        "total_display",
        "quantity_shipped",
        "quantity_cancelled",
        "quantity_returned",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("order")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Lines are part of the order: whoever may see the order sees its lines."""
        opts = Order._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("view", "change")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("unit price"))
    def unit_price_display(self, line: OrderLine) -> str:
        return _money(line.order, line.unit_price)

    @admin.display(description=_("tax"))
    def tax_display(self, line: OrderLine) -> str:
        return f"{_money(line.order, line.tax_amount)} ({line.tax_rate.normalize():f}%)"

    @admin.display(description=_("line total"))
    def total_display(self, line: OrderLine) -> str:
        return _money(line.order, line.total)


def _address_html(address: dict[str, Any]) -> str:
    """An order's address (a JSON snapshot) printed the way a parcel label prints it."""
    if not address:
        return "—"
    lines = order_address_lines(address)
    if address.get("phone"):
        lines.append(str(address["phone"]))
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))  # nosec B308  # a constant separator


def _payment_row(payment: Payment) -> dict[str, Any]:
    def fmt(amount: Decimal) -> str:
        return payment.money(amount).format()

    return {
        "payment": payment,
        "amount": fmt(payment.amount),
        "captured": fmt(payment.captured_amount),
        "refunded": fmt(payment.refunded_amount),
        "refunds": [
            (refund, fmt(refund.amount), reason_text(refund.reason))
            for refund in payment.refunds.all()
        ],
    }


def _shipment_rows(order: Order) -> list[tuple[Shipment, list[tuple[int, str]]]]:
    """Each parcel with what it carried, as (units, SKU) pairs."""
    skus = {line.pk: line.sku for line in order.lines.all()}
    return [
        (
            shipment,
            [(item.quantity, skus.get(item.order_line_id, "")) for item in shipment.lines.all()],
        )
        for shipment in order.shipments.all()
    ]


class OrderAdmin(admin.ModelAdmin):
    change_list_template = "admin/dashboard/order_change_list.html"
    change_form_template = "admin/dashboard/order_change_form.html"
    list_display = (
        "number",
        "placed_at",
        "email",
        "market",
        "status_badge",
        "payment_method_label",
        "total_display",
        "paid_summary",
    )
    list_filter = (
        "status",
        "refund_status",
        "market",
        PaymentMethodFilter,
        HasShipmentFilter,
        RefundToSendFilter,
    )
    list_select_related = ("market",)
    date_hierarchy = "placed_at"
    search_fields = ("number", "email", "shipping_address__full_name", "lines__sku")
    search_help_text = _("Order number, email, the name on the shipping address or a SKU.")
    inlines = (OrderLineInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("number", "status_badge"),
                    ("placed_at", "market", "language"),
                    ("user", "email", "phone"),
                    "customer_note",
                )
            },
        ),
        (
            _("Amounts"),
            {
                "fields": (
                    ("subtotal_display", "shipping_display"),
                    ("tax_display", "tax_breakdown_display"),
                    "total_display",
                    ("paid_display", "refunded_display"),
                )
            },
        ),
        (
            _("Delivery and payment"),
            {
                "fields": (
                    ("shipping_method_name", "payment_method_label"),
                    ("shipping_address_display", "billing_address_display"),
                )
            },
        ),
    )
    readonly_fields = tuple(flatten_fieldsets(fieldsets))

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Orders come from the checkout, the API and marketplace imports, never by hand."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """An order is a record for the customer and the accounts: cancel it, never delete."""
        return False

    # --- columns ---

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, order: Order) -> str:
        return format_html(
            '<span class="order-status order-status-{}">{}</span>',
            order.status,
            order.status_text,
        )

    @admin.display(description=_("payment method"), ordering="payment_method")
    def payment_method_label(self, order: Order) -> str:
        return _choice_label(Method, order.payment_method)

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order: Order) -> str:
        return _money(order, order.total)

    @admin.display(description=_("paid / refunded"), ordering="paid_amount")
    def paid_summary(self, order: Order) -> str:
        if not order.refunded_amount:
            return _money(order, order.paid_amount)
        return f"{_money(order, order.paid_amount)} / {_money(order, order.refunded_amount)}"

    @admin.display(description=_("subtotal"))
    def subtotal_display(self, order: Order) -> str:
        return _money(order, order.subtotal)

    @admin.display(description=_("shipping"))
    def shipping_display(self, order: Order) -> str:
        return _money(order, order.shipping_price)

    @admin.display(description=_("tax"))
    def tax_display(self, order: Order) -> str:
        included = gettext("included") if order.prices_include_tax else gettext("added")
        return f"{_money(order, order.tax_total)} ({included})"

    @admin.display(description=_("tax breakdown"))
    def tax_breakdown_display(self, order: Order) -> str:
        rows = [
            (row.get("name", ""), _money(order, Decimal(row.get("tax") or 0)))
            for row in order.tax_breakdown
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", rows) if rows else "—"  # nosec B308  # a constant separator

    @admin.display(description=_("paid"))
    def paid_display(self, order: Order) -> str:
        return _money(order, order.paid_amount)

    @admin.display(description=_("refunded"))
    def refunded_display(self, order: Order) -> str:
        return _money(order, order.refunded_amount)

    @admin.display(description=_("shipping address"))
    def shipping_address_display(self, order: Order) -> str:
        return _address_html(order.shipping_address)

    @admin.display(description=_("billing address"))
    def billing_address_display(self, order: Order) -> str:
        return _address_html(order.billing_address)

    # --- the order page ---

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The read-only record plus payments, shipments, the timeline and the actions."""
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])  # changes go through the action forms
        context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            **(extra_context or {}),
        }
        order = self.get_object(request, unquote(object_id))
        if order is not None:
            context.update(self._order_panels(request, order))
        return super().change_view(request, object_id, form_url, context)

    def _order_panels(self, request: HttpRequest, order: Order) -> dict[str, Any]:
        prefetch_related_objects([order], "lines", "payments__refunds", "shipments__lines")
        can_act = self.has_change_permission(request, order)
        return {
            "order_time_zone": order.market.time_zone,
            "order_payments": [_payment_row(payment) for payment in order.payments.all()],
            "order_shipments": _shipment_rows(order),
            "order_timeline": [(event, event_sentence(event)) for event in order.events.all()],
            "order_actions": [
                form(order=order)
                for form in ACTIONS.values()
                if can_act and form.applies_to(order) and _in_scope(request, order, form)
            ],
        }

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        action = path(
            "<path:object_id>/action/<slug:action>/",
            self.admin_site.admin_view(self.action_view),
            name="{}_{}_action".format(*info),
        )
        return [action, *super().get_urls()]

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Run one action from the order page and come back to it with the outcome."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self.get_object(request, unquote(object_id))
        form_class = ACTIONS.get(action)
        if order is None or form_class is None:
            raise Http404(gettext("There is no such order or action."))
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        if not _in_scope(request, order, form_class):
            raise PermissionDenied
        prefetch_related_objects([order], "lines", "payments")
        form = form_class(request.POST, order=order)
        if not form.is_valid():
            for message in _form_errors(form):
                messages.error(request, message)
        else:
            try:
                messages.success(request, _audited(form, request, order))
            except DomainError as error:
                messages.error(request, error.message)
        change = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk]
        )
        return HttpResponseRedirect(change)


def _in_scope(request: HttpRequest, order: Order, form: type[OrderActionForm]) -> bool:
    """Staff scoped to some warehouses ship only orders whose stock is in those warehouses."""
    if form is not ShipForm:
        return True
    return fulfilment_in_scope(request.user, order.reservation_reference)


def _audited(form: OrderActionForm, request: HttpRequest, order: Order) -> str:
    """Perform a staff action and record it with what it changed on the order."""
    before = snapshot(Order, [order.pk]).get(str(order.pk), {})
    message = form.perform(actor=_actor(request))
    after = snapshot(Order, [order.pk]).get(str(order.pk), {})
    fields = {k: v for k, v in form.cleaned_data.items() if k != "request_key"}
    audit_record(
        action=AuditEntry.Action.REFUND if form.name == "refund" else AuditEntry.Action.ACTION,
        obj=order,
        changes=diff(before, after),
        data={"action": form.name, **fields},
    )
    return message


# --- Payment options and payments ----------------------------------------------------------


class PaymentOptionForm(forms.ModelForm):
    class Meta:
        model = PaymentOption
        fields = ("market", "method", "is_active", "min_total", "max_total", "account", "position")

    def clean(self) -> dict[str, Any]:
        """Say in words what the database constraint would only refuse, and refuse a PromptPay
        option no QR could be made for (the checkout would silently leave it out)."""
        data = super().clean() or {}
        low, high = data.get("min_total"), data.get("max_total")
        if low is not None and high is not None and low > high:
            self.add_error("max_total", gettext("The maximum must not be below the minimum."))
        if data.get("method") == Method.PROMPTPAY:
            self._check_promptpay(data)
        return data

    def _check_promptpay(self, data: dict[str, Any]) -> None:
        market = data.get("market")
        if market is not None and market.currency != "THB":
            self.add_error("method", gettext("PromptPay accepts Thai baht only."))
        if not data.get("account"):
            self.add_error("account", gettext("Enter the PromptPay ID that receives payments."))
            return
        try:
            promptpay_payload(target=data["account"], amount=None)
        except DomainError as error:
            self.add_error("account", error.message)


class PaymentOptionAdmin(admin.ModelAdmin):
    """Which payment methods each market offers, for which order totals, paid to which
    PromptPay ID."""

    form = PaymentOptionForm
    list_display = (
        "market",
        "method",
        "is_active",
        "min_total",
        "max_total",
        "account",
        "position",
    )
    list_editable = ("is_active", "position")
    list_filter = ("market", "method", "is_active")
    list_select_related = ("market",)


class RefundInline(admin.TabularInline):
    model = Refund
    fields = ("amount", "status", "reason", "actor", "external_id", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentAdmin(admin.ModelAdmin):
    """Payments as recorded, for looking up a reference; they change only through the
    provider's webhooks and the order page's actions."""

    list_display = (
        "reference",
        "order_link",
        "method",
        "status",
        "amount_display",
        "captured_display",
        "refunded_display",
        "created_at",
    )
    list_filter = ("method", "status")
    list_select_related = ("order",)
    search_fields = ("reference", "external_id", "order__number")
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "order_link",
        "method",
        "status",
        "amount_display",
        "captured_display",
        "refunded_display",
        "external_id",
        "expires_at",
        "failure_message",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (RefundInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("order"), ordering="order__number")
    def order_link(self, payment: Payment) -> str:
        url = reverse("admin:orders_order_change", args=[payment.order_id])
        return format_html('<a href="{}">{}</a>', url, payment.order.number)

    @admin.display(description=_("amount"))
    def amount_display(self, payment: Payment) -> str:
        return payment.money(payment.amount).format()

    @admin.display(description=_("captured"))
    def captured_display(self, payment: Payment) -> str:
        return payment.money(payment.captured_amount).format()

    @admin.display(description=_("refunded"))
    def refunded_display(self, payment: Payment) -> str:
        return payment.money(payment.refunded_amount).format()


def _register() -> None:
    """Register (or replace) the admins; safe if a domain registers its own first."""
    for model, model_admin in (
        (Order, OrderAdmin),
        (PaymentOption, PaymentOptionAdmin),
        (Payment, PaymentAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)


_register()
