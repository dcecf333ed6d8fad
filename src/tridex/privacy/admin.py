"""Privacy requests and consent records in the back office.

Requests are listed by due date with an "overdue" filter (PDPA and GDPR give 30 days); staff
fulfil them with actions that call the services. The admin site audits every change and
action (AuditedAdminSite), and the services write their own audit entries as well.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tridex.core.errors import DomainError
from tridex.privacy import services
from tridex.privacy.models import ConsentRecord, PrivacyRequest

Status = PrivacyRequest.Status
Kind = PrivacyRequest.Kind


class OverdueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(status=Status.PENDING, due_at__lt=now)
        if self.value() == "week":
            return queryset.filter(
                status=Status.PENDING, due_at__gte=now, due_at__lt=now + timedelta(days=7)
            )
        return queryset


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "user",
        "kind",
        "status",
        "channel",
        "created_at",
        "due_at",
        "overdue",
        "erase_after",
        "completed_at",
    )
    list_filter = (OverdueFilter, "kind", "status", "channel")
    list_select_related = ("user",)
    search_fields = ("user__email", "=id")
    raw_id_fields = ("user",)
    ordering = ("due_at", "id")
    actions = ("run_export", "run_erasure", "mark_completed", "mark_rejected")
    readonly_fields = (
        "status",
        "channel",
        "created_at",
        "due_at",
        "erase_after",
        "completed_at",
        "export_expires_at",
        "export_emailed_at",
        "export_downloaded_at",
    )
    fields = ("user", "kind", "details", "staff_note", *readonly_fields)

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj: PrivacyRequest) -> bool:
        return obj.is_overdue

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:  # who and what was asked are facts once received
            return ("user", "kind", "details", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the request is the proof it was handled

    def save_model(
        self, request: HttpRequest, obj: PrivacyRequest, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.privacy_request_create(
            user=obj.user, kind=obj.kind, details=obj.details, channel=PrivacyRequest.Channel.STAFF
        )
        if obj.staff_note:
            PrivacyRequest.objects.filter(pk=created.pk).update(staff_note=obj.staff_note)
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("Run the export and email the link"), permissions=["change"])
    def run_export(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        def run(item: PrivacyRequest) -> None:
            if item.kind != Kind.EXPORT or item.status != Status.PENDING:
                raise DomainError(str(_("Only pending exports can be run.")))
            services.export_build(request_id=item.pk)
            services.export_link_send(request_id=item.pk)

        self._each(request, queryset, run)

    @admin.action(description=_("Erase now (skips the grace period)"), permissions=["change"])
    def run_erasure(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        self._each(request, queryset, lambda item: services.erasure_execute(request_id=item.pk))

    @admin.action(description=_("Mark as completed"), permissions=["change"])
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        self._each(
            request,
            queryset,
            lambda item: services.privacy_request_close(
                request_id=item.pk, status=Status.COMPLETED
            ),
        )

    @admin.action(description=_("Mark as rejected"), permissions=["change"])
    def mark_rejected(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        self._each(
            request,
            queryset,
            lambda item: services.privacy_request_close(request_id=item.pk, status=Status.REJECTED),
        )

    def _each(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest], run: Any) -> None:
        done = 0
        for item in queryset:
            try:
                run(item)
            except DomainError as error:
                self.message_user(request, f"#{item.pk}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request handled.", "%(count)d requests handled.", done)
                % {"count": done},
                messages.SUCCESS,
            )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "user", "visitor_id", "purpose", "granted", "source", "notice_version")
    list_filter = ("purpose", "granted", "source", "notice_version")
    list_select_related = ("user",)
    search_fields = ("user__email", "=visitor_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
