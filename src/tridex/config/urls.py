from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve as serve_file

from tridex.api.api import api
from tridex.core.views import healthz, readyz

handler500 = "tridex.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("_allauth/", include("allauth.headless.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("account/", include("tridex.accounts.urls")),
    path("orders/", include("tridex.storefront.order_urls")),
    path("", include("tridex.privacy.urls")),
    path("", include("tridex.storefront.urls")),
    prefix_default_language=True,
)

if settings.TRIDEX_SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^media/(?P<path>.*)$",
            serve_file,
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    ]
