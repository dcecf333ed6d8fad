"""The audit log: who did what to which object, when, from where, with the fields it changed.

Entries are append-only and chained: each carries the hash of the one before it, so an entry
changed or removed behind Tridex's back breaks the chain at that point (``audit_verify``).
Old entries are moved to archive files, never dropped; ``AuditArchive`` remembers where the
chain continues.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An audit entry may be written once and never changed or deleted one by one."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit entries are archived, not deleted (audit_archive)")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        ACTION = "action", _("Action")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        EXPORT = "export", _("Export")
        REFUND = "refund", _("Refund")
        FACTOR_ADDED = "factor_added", _("Added a sign-in factor")
        FACTOR_REMOVED = "factor_removed", _("Removed a sign-in factor")
        FACTOR_USED = "factor_used", _("Used a sign-in factor")
        RECOVERY_CODES_RESET = "recovery_codes_reset", _("Made new recovery codes")

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_constraint=False,  # a deleted user's entries stay as they were written
    )
    actor_label = models.CharField(_("by"), max_length=255, blank=True, default="")
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True, default="")
    action = models.CharField(_("action"), max_length=32, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    object_repr = models.CharField(_("object"), max_length=255, blank=True, default="")
    # {field: [before, after]}
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit entries are archived, not deleted (audit_archive)")


class AuditChain(models.Model):
    """One row: the hash of the newest entry. Locking it orders concurrent writers."""

    last_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return self.last_hash


class AuditArchive(models.Model):
    """A file holding entries moved out of the table, and where the chain went on after it."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    path = models.CharField(_("file"), max_length=500)
    sha256 = models.CharField(max_length=64)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    first_prev_hash = models.CharField(max_length=64, blank=True, default="")
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["last_id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.path
