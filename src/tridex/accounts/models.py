"""Users log in with their email address; there is no username."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tridex.accounts.countries import country_name
from tridex.accounts.provinces import province_name
from tridex.core.models import TimeStampedModel


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user_with_email(
        self, email: str, password: str | None, **extra_fields: Any
    ) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user_with_email(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user_with_email(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class Address(TimeStampedModel):
    """A postal address in either the Thai or the international format.

    Thai addresses use province (จังหวัด), district (อำเภอ/เขต) and subdistrict (ตำบล/แขวง);
    other countries use city and region. ``country`` decides which fields are required.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True, default="")
    tax_id = models.CharField(_("tax ID"), max_length=32, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    country = CountryField(_("country"), default="TH")
    line1 = models.CharField(_("address line 1"), max_length=255)
    line2 = models.CharField(_("address line 2"), max_length=255, blank=True, default="")
    subdistrict = models.CharField(_("subdistrict"), max_length=100, blank=True, default="")
    district = models.CharField(_("district"), max_length=100, blank=True, default="")
    province = models.CharField(
        _("province"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("ISO 3166-2 code of a Thai province, such as TH-10 for Bangkok."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    region = models.CharField(_("state / region"), max_length=100, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=20, blank=True, default="")
    is_default_shipping = models.BooleanField(_("default shipping address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default_shipping", "-is_default_billing", "-created_at"]
        constraints = [
            # At most one default of each kind per user, even under concurrent requests.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_shipping=True),
                name="accounts_address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_billing=True),
                name="accounts_address_one_default_billing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}"

    @property
    def is_thai(self) -> bool:
        return self.country == "TH"

    @property
    def province_name(self) -> str:
        """The province in the active language (the column holds its ISO code)."""
        return province_name(self.province) if self.province else ""

    def lines(self) -> list[str]:
        """The address as printed on a parcel, in the active language, one line per item."""
        if self.is_thai:
            parts = [
                self.line1,
                self.line2,
                " ".join(filter(None, [self.subdistrict, self.district])),
                " ".join(filter(None, [self.province_name, self.postcode])),
            ]
        else:
            parts = [
                self.line1,
                self.line2,
                " ".join(filter(None, [self.city, self.region, self.postcode])),
            ]
        country = country_name(str(self.country)) if self.country else ""
        return [part for part in [self.full_name, self.company, *parts, country] if part]


class LoginEvent(models.Model):
    """One sign-in or failed sign-in in a person's history (kept TRIDEX_LOGIN_HISTORY_DAYS).

    A failed sign-in is recorded for the account whose address was typed, so that the owner sees
    someone trying their password. Browser, system and country are stored as they were read at
    the time; ``fingerprint`` names browser family, system family and country together.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="login_events", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"))
    succeeded = models.BooleanField(_("succeeded"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True, default="")
    browser = models.CharField(_("browser"), max_length=100, blank=True, default="")
    os = models.CharField(_("operating system"), max_length=100, blank=True, default="")
    device = models.CharField(_("device"), max_length=100, blank=True, default="")
    country = models.CharField(_("country"), max_length=8, blank=True, default="")
    fingerprint = models.CharField(_("device fingerprint"), max_length=32, db_index=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-in history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="accounts_login_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"

    @property
    def device_label(self) -> str:
        """ "Chrome 131 on Windows 10", in the active language."""
        from tridex.accounts.devices import device_label

        return device_label(self.browser, self.os)

    @property
    def place(self) -> str:
        """The country, "Local network" or "Unknown place", in the active language."""
        from tridex.accounts.devices import place_label

        return place_label(self.country)


class LoginLockout(models.Model):
    """Failed sign-ins in a row for one email address, and the lock they led to.

    Kept per address typed, not per user row: an address that belongs to nobody locks the same
    way, so the lock message tells a visitor nothing about which addresses have accounts.
    Stored in the database rather than the cache because staff list and release locks, and a
    lock must survive a cache flush or restart.
    """

    email = models.CharField(_("email address"), max_length=254, unique=True)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    failures = models.PositiveIntegerField(_("failed sign-ins in a row"), default=0)
    last_failure_at = models.DateTimeField(_("last failed sign-in"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in lockout")
        verbose_name_plural = _("sign-in lockouts")
        ordering = ["-last_failure_at"]

    def __str__(self) -> str:
        return self.email
