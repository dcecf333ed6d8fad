"""Page forms: they parse and label input; the rules themselves live in services.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from tridex.accounts.countries import country_choices
from tridex.accounts.provinces import province_choices
from tridex.core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For delivery updates, such as 081 234 5678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Pages and emails use this language."),
        choices=(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each language is named in itself, so a customer who picked the wrong one can still
        # find their own.
        cast(forms.ChoiceField, self.fields["preferred_language"]).choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


class AddressForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("The courier calls this number if they cannot find you."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    company = forms.CharField(
        label=_("Company (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_id = forms.CharField(
        label=_("Tax ID (optional)"),
        max_length=32,
        required=False,
        help_text=_("Needed only for a full tax invoice."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=(),
        initial="TH",
        widget=forms.Select(attrs={"autocomplete": "country", "data-address-country": ""}),
    )
    line1 = forms.CharField(
        label=_("House number, building, street"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    line2 = forms.CharField(
        label=_("More address details (optional)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    subdistrict = forms.CharField(
        label=_("Subdistrict (tambon / khwaeng)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level4"}),
    )
    district = forms.CharField(
        label=_("District (amphoe / khet)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        choices=(),
        required=False,
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    city = forms.CharField(
        label=_("City or town"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label=_("State, province or region"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    is_default_shipping = forms.BooleanField(
        label=_("Use as my default delivery address"), required=False
    )
    is_default_billing = forms.BooleanField(
        label=_("Use as my default billing address"), required=False
    )

    # Which fields belong to which address format; the template groups them in fieldsets.
    common_fields = ("full_name", "phone", "company", "tax_id", "country", "line1", "line2")
    thai_fields = ("subdistrict", "district", "province")
    international_fields = ("city", "region")
    default_fields = ("is_default_shipping", "is_default_billing")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices()
        cast(forms.ChoiceField, self.fields["province"]).choices = [
            ("", _("Choose a province")),
            *province_choices(),
        ]

    def group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def common(self) -> list[forms.BoundField]:
        return self.group(self.common_fields)

    def thai(self) -> list[forms.BoundField]:
        return self.group(self.thai_fields)

    def international(self) -> list[forms.BoundField]:
        return self.group(self.international_fields)

    def defaults(self) -> list[forms.BoundField]:
        return self.group(self.default_fields)

    def address_fields(self) -> dict[str, Any]:
        """The cleaned values the address services take, without the default flags."""
        data = dict(self.cleaned_data)
        for name in self.default_fields:
            data.pop(name, None)
        return data
