"""The audit log in the back office: searchable, filterable, read-only for everyone."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tridex.audit.models import AuditArchive, AuditEntry


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return AuditEntry.Action.choices

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        return [(t, t) for t in sorted(t for t in types if t)]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_label", "ip", "action_label", "object_type", "object_repr")
    list_filter = (ActionFilter, ObjectTypeFilter)
    date_hierarchy = "at"
    search_fields = ("actor_label", "object_repr", "object_id", "ip", "=object_type")
    search_help_text = _("Who, the object's name or id, or an IP address.")
    fields = (
        ("at", "action_label"),
        ("actor_label", "ip"),
        "user_agent",
        ("object_type", "object_id", "object_repr"),
        "changes_table",
        "data_display",
        ("prev_hash", "hash"),
    )
    readonly_fields = tuple(flatten(fields))
    show_full_result_count = False  # a large log: no COUNT(*) on every page

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry: AuditEntry) -> str:
        values = AuditEntry.Action.values
        return (
            str(AuditEntry.Action(entry.action).label) if entry.action in values else entry.action
        )

    @admin.display(description=_("changes"))
    def changes_table(self, entry: AuditEntry) -> str:
        if not entry.changes:
            return "—"
        rows = ((name, _show(pair[0]), _show(pair[1])) for name, pair in entry.changes.items())
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("details"))
    def data_display(self, entry: AuditEntry) -> str:
        return json.dumps(entry.data, ensure_ascii=False) if entry.data else "—"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "first_id", "last_id", "count", "path")
