"""Messages of Django itself that its own Thai catalogue lacks.

Marking them here puts them in Tridex's catalogue (``makemessages`` keeps them), so password
rules on the Thai sign-up page read in Thai. Nothing imports this module at run time.
"""

from django.utils.translation import gettext_noop, ngettext

MESSAGES = (
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
)


def _plurals(n: int) -> tuple[str, ...]:
    """Never called: Django has no ``ngettext_noop``, so the plural forms are marked here."""
    return (
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            n,
        ),
        ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            n,
        ),
    )
