"""allauth adapter: emails go out in the recipient's language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def save_user(self, request, user, form, commit=True):  # type: ignore[no-untyped-def]
        user = super().save_user(request, user, form, commit=False)
        if not user.preferred_language:
            user.preferred_language = translation.get_language() or "th"
        if commit:
            user.save()
        return user
