"""Staff roles: each a named set of permissions, kept as a Django group.

A role is a ``Group`` named after it, so Django's admin enforces it like any permission and an
Owner can edit what a role may do in *Groups*. The definitions below are what each group starts
with (``roles_sync`` creates missing groups and never overwrites an Owner's edits unless told
to); ``docs/permissions.md`` is generated from what the admin actually allows each role
(``tridex roles_matrix``), and a test walks it.

A grant is ``(app_label, model, actions)``; ``"*"`` matches any app or model, and actions are
Django's ``view``, ``add``, ``change`` and ``delete`` (the codename's first word), or ``"*"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ALL = frozenset({"view", "add", "change", "delete"})
EVERYTHING = frozenset({"*"})  # every action, including permissions a domain adds later
VIEW = frozenset({"view"})
EDIT = frozenset({"view", "change"})
Grant = tuple[str, str, frozenset[str]]


@dataclass(frozen=True)
class Role:
    group_name: str  # the group's stored name (English, stable)
    label: Promise
    grants: tuple[Grant, ...]
    denies: tuple[Grant, ...] = field(default_factory=tuple)

    def allows(self, app_label: str, model: str, action: str) -> bool:
        def matches(grants: Iterable[Grant]) -> bool:
            return any(
                a in ("*", app_label) and m in ("*", model) and (action in acts or "*" in acts)
                for a, m, acts in grants
            )

        return matches(self.grants) and not matches(self.denies)


ROLES: dict[str, Role] = {
    "owner": Role("Owner", _("Owner"), (("*", "*", EVERYTHING),)),
    "administrator": Role(
        "Administrator",
        _("Administrator"),
        (("*", "*", EVERYTHING),),
        # Only an Owner decides what a role may do.
        denies=(("auth", "group", frozenset({"add", "change", "delete"})),),
    ),
    "store_manager": Role(
        "Store manager",
        _("Store manager"),
        (
            ("catalog", "*", ALL),
            ("pricing", "*", ALL),
            ("inventory", "*", ALL),
            ("shipping", "*", ALL),
            ("tax", "*", ALL),
            ("orders", "*", EDIT),
            ("payments", "*", EDIT),
            ("markets", "*", EDIT),
            ("accounts", "*", VIEW),
            ("account", "emailaddress", VIEW),
        ),
    ),
    "catalog_editor": Role(
        "Catalog editor",
        _("Catalog editor"),
        (
            ("catalog", "*", ALL),
            ("pricing", "price", ALL),
            ("pricing", "productpricerange", VIEW),
            ("inventory", "stock", VIEW),
        ),
    ),
    "order_manager": Role(
        "Order manager",
        _("Order manager"),
        (
            ("orders", "*", EDIT),
            ("payments", "payment", EDIT),
            ("payments", "paymentoption", VIEW),
            ("accounts", "user", VIEW),
            ("accounts", "address", EDIT),
            ("inventory", "stock", VIEW),
        ),
    ),
    "support_agent": Role(
        "Support agent",
        _("Support agent"),
        (
            ("orders", "order", VIEW),
            ("payments", "payment", VIEW),
            ("accounts", "user", VIEW),
            ("accounts", "address", EDIT),
            ("account", "emailaddress", VIEW),
            ("accounts", "loginlockout", EDIT),
            ("catalog", "review", EDIT),
            # Answers customers' PDPA/GDPR requests (export, erasure, access, correction).
            ("privacy", "privacyrequest", ALL),
            ("privacy", "consentrecord", VIEW),
        ),
    ),
    "warehouse_staff": Role(
        "Warehouse staff",
        _("Warehouse staff"),
        (
            ("inventory", "stock", EDIT),
            ("inventory", "stockmovement", VIEW),
            ("inventory", "warehouse", VIEW),
            ("orders", "order", EDIT),
            ("catalog", "product", VIEW),
            ("catalog", "variant", VIEW),
        ),
    ),
    "marketing": Role(
        "Marketing",
        _("Marketing"),
        (
            ("catalog", "product", EDIT),
            ("catalog", "category", ALL),
            ("catalog", "productimage", ALL),
            ("catalog", "review", EDIT),
            ("markets", "market", VIEW),
            ("pricing", "price", VIEW),
        ),
    ),
    "analyst": Role(
        "Analyst",
        _("Analyst"),
        tuple(
            (app, "*", VIEW)
            for app in (
                "catalog",
                "pricing",
                "inventory",
                "orders",
                "payments",
                "markets",
                "shipping",
                "tax",
            )
        ),
    ),
}


# --- Staff API operations, for the permission matrix -------------------------------------------


@dataclass(frozen=True)
class StaffApiAction:
    """One staff API operation and the model permission it requires (``None``: it declares
    none, which the permission matrix test reports as a defect)."""

    operation_id: str
    method: str
    path: str
    permission: str | None


_staff_api_sources: list[Callable[[], Iterable[StaffApiAction]]] = []


def staff_api_register(source: Callable[[], Iterable[StaffApiAction]]) -> None:
    """Let the permission matrix list the operations ``source`` returns (the API app registers
    its router here: accounts sits below the API and cannot import it)."""
    if source not in _staff_api_sources:
        _staff_api_sources.append(source)


def staff_api_actions() -> list[StaffApiAction]:
    return sorted(
        (action for source in _staff_api_sources for action in source()),
        key=lambda a: (a.path, a.method),
    )
