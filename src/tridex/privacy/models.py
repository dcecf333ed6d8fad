"""Consents and privacy requests.

A consent is never changed: each grant or withdrawal is a new ``ConsentRecord`` (the history is
the proof PDPA section 19 and GDPR article 7(1) ask for), and the newest one per purpose is the
person's current choice. A ``PrivacyRequest`` is anything a person asks under PDPA/GDPR (an
export of their data, erasure, access, correction), with the 30-day due date both laws set;
an export's file and link live on its request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentChanged(Exception):
    """A consent record is history: a new choice is a new record."""


class Purpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Marketing emails")
    PUSH = "push_notifications", _("Push notifications")
    ANALYTICS = "analytics_cookies", _("Analytics cookies")


class ConsentSource(models.TextChoices):
    SIGNUP = "signup", _("Sign-up form")
    COOKIE_BANNER = "cookie_banner", _("Cookie banner")
    ACCOUNT = "account_page", _("Account page")
    API = "api", _("API")


class ConsentRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("customer"),
    )
    # A signed-out visitor's choice is tied to the random id in their consent cookie.
    visitor_id = models.CharField(_("visitor"), max_length=32, blank=True, default="")
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=16, choices=ConsentSource.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=32)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "purpose", "-at"], name="privacy_consent_user"),
            models.Index(fields=["visitor_id", "purpose", "-at"], name="privacy_consent_visitor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(user__isnull=True, visitor_id=""), name="privacy_consent_has_subject"
            )
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.purpose} {state} ({self.source}, {self.notice_version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ConsentChanged("consent records cannot be changed")
        super().save(*args, **kwargs)


class PrivacyRequest(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Data export")
        ERASURE = "erasure", _("Erasure (account deletion)")
        ACCESS = "access", _("Access")
        CORRECTION = "correction", _("Correction")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    class Channel(models.TextChoices):
        CUSTOMER = "customer", _("The customer, on their account page")
        STAFF = "staff", _("Staff, for the customer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="privacy_requests",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    channel = models.CharField(
        _("made by"), max_length=16, choices=Channel.choices, default=Channel.CUSTOMER
    )
    details = models.TextField(_("what was asked"), blank=True, default="")
    staff_note = models.TextField(_("staff note"), blank=True, default="")
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"), db_index=True)
    # Erasure only: the end of the grace period during which the customer can cancel.
    erase_after = models.DateTimeField(_("erase after"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Export only: the ZIP in private storage and the link's secret and expiry.
    export_file = models.CharField(_("export file"), max_length=255, blank=True, default="")
    export_nonce = models.CharField(max_length=64, blank=True, default="")
    export_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    export_emailed_at = models.DateTimeField(_("link emailed at"), null=True, blank=True)
    export_downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_request_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="erasure", status="pending"),
                name="privacy_one_pending_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.user_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.due_at < timezone.now()
