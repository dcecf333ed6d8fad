"""Admin for customers: users are found by email and name (there is no username); sign-in
factors can be seen and removed, never read or written."""

from __future__ import annotations

from typing import Any, ClassVar

import allauth.mfa.admin  # noqa: F401  (registers allauth's Authenticator admin, replaced below)
from allauth.mfa.models import Authenticator
from allauth.usersessions import admin as allauth_usersessions_admin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tridex.accounts.models import Address, LoginEvent, LoginLockout, User
from tridex.accounts.roles import ROLES
from tridex.accounts.selectors import grant_exceeds
from tridex.accounts.services import login_lockout_release, user_sessions_end


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes: ClassVar[dict] = {}  # type: ignore[type-arg]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: ClassVar[dict] = {}  # type: ignore[type-arg]


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = (
        ("full_name", "phone"),
        ("company", "tax_id"),
        "country",
        "line1",
        "line2",
        ("subdistrict", "district", "province"),
        ("city", "region"),
        "postcode",
        ("is_default_shipping", "is_default_billing"),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = (
        "email",
        "first_name",
        "last_name",
        "preferred_language",
        "is_active",
        "is_staff",
        "roles",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "preferred_language", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    inlines = (AddressInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "phone", "preferred_language")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
                "classes": ("collapse",),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        labels = {role.group_name: str(role.label) for role in ROLES.values()}
        return ", ".join(labels.get(g.name, g.name) for g in user.groups.all()) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Nobody raises their own standing: only a superuser makes superusers, and staff
        cannot change their own staff flag, roles or permissions."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
            if obj is not None and obj.pk == request.user.pk:
                fields += ["is_staff", "groups", "user_permissions"]
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        granter = request.user

        class GrantOnlyWhatYouHold(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data = super().clean() or {}
                if not granter.is_superuser:
                    _refuse_grants_beyond(self, granter, data)
                return data

        return GrantOnlyWhatYouHold

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        """Addresses are added once the user exists, as on Django's own two-step add page."""
        return self.inlines if obj is not None else ()


def _refuse_grants_beyond(form: Any, granter: Any, data: dict[str, Any]) -> None:
    """A role or permission can be given only by someone who holds all it allows."""
    held = granter.get_all_permissions()
    for name in ("groups", "user_permissions"):
        chosen = data.get(name)
        if chosen is None:
            continue
        before = {getattr(b, "pk", b) for b in form.initial.get(name) or []}
        for item in chosen:
            if item.pk in before:  # kept as it was: not a new grant
                continue
            if name == "groups":
                exceeds = grant_exceeds(granter=granter, group=item)
            else:
                exceeds = f"{item.content_type.app_label}.{item.codename}" not in held
            if exceeds:
                form.add_error(
                    name,
                    gettext("You cannot give “%(name)s”: it allows more than you may do.")
                    % {"name": item.name},
                )


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "user",
        "country",
        "province",
        "city",
        "postcode",
        "is_default_shipping",
        "is_default_billing",
    )
    list_filter = ("country", "is_default_shipping", "is_default_billing")
    search_fields = ("full_name", "user__email", "line1", "postcode", "phone")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


class CurrentlyLockedFilter(admin.SimpleListFilter):
    title = _("locked now")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LoginLockout]) -> Any:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(locked_until__gt=now)
        return queryset


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Addresses with failed sign-ins; staff unlock them (the audit log records who did)."""

    list_display = ("email", "user", "failures", "last_failure_at", "locked_until", "is_locked")
    list_filter = (CurrentlyLockedFilter,)
    list_select_related = ("user",)
    search_fields = ("email",)
    readonly_fields = ("email", "user", "failures", "last_failure_at", "locked_until")
    actions = ("unlock",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("locked now"), boolean=True)
    def is_locked(self, lockout: LoginLockout) -> bool:
        return bool(lockout.locked_until and lockout.locked_until > timezone.now())

    @admin.action(description=_("Unlock the selected addresses"), permissions=("change",))
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginLockout]) -> None:
        count = 0
        for lockout in queryset:
            login_lockout_release(lockout=lockout)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d address unlocked.", "%(count)d addresses unlocked.", count)
            % {"count": count},
        )


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """A person's sign-ins and failed sign-ins, for support: read only, as it was recorded."""

    list_display = ("at", "user", "succeeded", "browser", "os", "device", "country", "ip")
    list_filter = ("succeeded", "country")
    search_fields = ("user__email", "ip")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in LoginEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# allauth registered its own (imported above, so it is registered first); deleting a row there
# would only hide the session from the list while its cookie went on working.
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(allauth_usersessions_admin.UserSessionAdmin):
    """Sessions are seen and ended here, never made or moved to another user: deleting one
    ends it, as it does on the customer's own page."""

    search_fields = ("user__email", "ip")  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_sessions_end(actor=request.user, sessions=[obj])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        user_sessions_end(actor=request.user, sessions=queryset)  # type: ignore[arg-type]


# allauth registers its own (imported above, first): replaced, not registered over this one.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff see who has which factor and can remove one (a lost phone); nobody reads or writes
    a factor's secret here, or makes a factor on someone else's behalf."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
