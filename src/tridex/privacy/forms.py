"""Page forms of the privacy pages: they parse and label input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tridex.privacy.models import Purpose


class ConsentForm(forms.Form):
    marketing_email = forms.BooleanField(
        label=_("Marketing emails"),
        required=False,
        help_text=_("News, offers and new fabrics, at most a few times a month."),
    )
    push_notifications = forms.BooleanField(
        label=_("Push notifications"),
        required=False,
        help_text=_("Offers and reminders on this device's lock screen."),
    )
    analytics_cookies = forms.BooleanField(
        label=_("Analytics cookies"),
        required=False,
        help_text=_("Help us see which pages work, measured anonymously."),
    )

    def choices(self) -> dict[str, bool]:
        return {purpose: bool(self.cleaned_data[purpose]) for purpose in Purpose.values}
