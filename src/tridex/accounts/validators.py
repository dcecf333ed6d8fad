"""Password rules beyond Django's: staff accounts, which can reach every customer's data, need
longer passwords (NIST SP 800-63B asks 15 characters of a password that is the only factor)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaffMinimumLengthValidator:
    def __init__(self, min_length: int = 15) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if getattr(user, "is_staff", False) and len(password) < self.min_length:
            raise ValidationError(
                _("Staff passwords must be at least %(min_length)d characters long.")
                % {"min_length": self.min_length},
                code="password_too_short_for_staff",
            )

    def get_help_text(self) -> str:
        return _("Staff passwords must be at least %(min_length)d characters long.") % {
            "min_length": self.min_length
        }
