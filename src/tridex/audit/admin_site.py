"""The admin site on which every registered model admin is audited.

``AuditedAdminSite.register`` puts ``AuditedAdmin`` in front of whatever admin class a domain
(or Django, or allauth) registers, so no admin can be added without its changes reaching the
audit log. The entries are written from the hooks Django's admin always calls after a change
(``log_addition``, ``log_change``, ``log_deletions``) and around every admin action, with the
stored values before and after, so what a ``save_model`` that goes through a service changed is
recorded too.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import HttpRequest, HttpResponse

from tridex.audit.context import actor_of
from tridex.audit.models import AuditEntry
from tridex.audit.services import audit_record, diff, jsonable, snapshot

A = AuditEntry.Action


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and object_id:
            request._audit_before = snapshot(self.model, [unquote(object_id)])  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        request._audit_formsets = formsets  # type: ignore[attr-defined]
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        after = snapshot(type(obj), [obj.pk]).get(str(obj.pk), {})
        _record(request, A.CREATE, obj, diff({}, after))
        _record_inlines(request)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        before = getattr(request, "_audit_before", {}).get(str(obj.pk), {})
        after = snapshot(type(obj), [obj.pk]).get(str(obj.pk), {})
        changes = diff(before, after)
        if changes or not getattr(request, "_audit_formsets", None):
            _record(request, A.UPDATE, obj, changes)
        _record_inlines(request)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects = list(queryset)
        if objects:
            before = snapshot(type(objects[0]), [o.pk for o in objects])
            for obj in objects:
                _record(request, A.DELETE, obj, diff(before.get(str(obj.pk), {}), {}))
        return super().log_deletions(request, queryset)

    def response_action(
        self, request: HttpRequest, queryset: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Around an admin action: what it changed on each selected object."""
        action = request.POST.get("action", "")
        if action == "delete_selected":  # recorded by log_deletions, object by object
            return super().response_action(request, queryset, *args, **kwargs)
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        pks = (
            list(queryset.values_list("pk", flat=True))
            if request.POST.get("select_across") == "1"
            else selected
        )
        before = snapshot(self.model, pks)
        response = super().response_action(request, queryset, *args, **kwargs)
        after = snapshot(self.model, pks)
        for pk in sorted(set(before) | set(after)):
            changes = diff(before.get(pk, {}), after.get(pk, {}))
            if changes:
                _record(
                    request,
                    A.ACTION,
                    None,
                    changes,
                    model=self.model,
                    pk=pk,
                    data={"action": action},
                )
        return response


def _record(
    request: HttpRequest,
    action: str,
    obj: models.Model | None,
    changes: dict[str, Any],
    *,
    model: type[models.Model] | None = None,
    pk: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    if obj is not None:
        audit_record(action=action, obj=obj, changes=changes, actor=actor_of(request), data=data)
        return
    assert model is not None
    audit_record(
        action=action,
        object_type=model._meta.label_lower,
        object_id=pk,
        object_repr=str(model._base_manager.filter(pk=pk).first() or pk),
        changes=changes,
        data=data,
        actor=actor_of(request),
    )


def _record_inlines(request: HttpRequest) -> None:
    """The inline rows an admin form added, changed or deleted, one entry each."""
    for formset in getattr(request, "_audit_formsets", None) or []:
        for obj in formset.new_objects:
            after = snapshot(type(obj), [obj.pk]).get(str(obj.pk), {})
            _record(request, A.CREATE, obj, diff({}, after))
        for obj, _fields in formset.changed_objects:
            form = next((f for f in formset.forms if f.instance.pk == obj.pk), None)
            after = snapshot(type(obj), [obj.pk]).get(str(obj.pk), {})
            before = _comparable(form.initial if form else {}, after)
            _record(request, A.UPDATE, obj, diff(before, after))
        for obj in formset.deleted_objects:
            _record(request, A.DELETE, obj, {})
    request._audit_formsets = None  # type: ignore[attr-defined]


def _comparable(initial: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A form's initial values keyed like the stored row (``variant`` → ``variant_id``)."""
    out = {}
    for key in stored:
        name = key[:-3] if key.endswith("_id") and key[:-3] in initial else key
        if name in initial:
            value = initial[name]
            out[key] = jsonable(getattr(value, "pk", value))
        else:
            out[key] = stored[key]
    return out


class AuditedAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Send staff to the shop's sign-in page, which asks for their second factor (Django's
        own admin form would sign them in with a password alone)."""
        return secure_admin_login(super().login)(request, extra_context)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
