from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default = True
    name = "tridex.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from tridex.audit import receivers  # noqa: F401  (logins, logouts, failed logins)


class AuditedAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Tridex's site, on which every registered admin is audited."""

    default = False
    default_site = "tridex.audit.admin_site.AuditedAdminSite"
