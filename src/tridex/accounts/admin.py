"""Admin for customers: users are found by email and name (there is no username)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from tridex.accounts.models import Address, User


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

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        """Addresses are added once the user exists, as on Django's own two-step add page."""
        return self.inlines if obj is not None else ()


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
