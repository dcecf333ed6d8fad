"""Privacy URLs (namespace "privacy"), inside the language prefix: the privacy centre under
/<lang>/account/privacy/, the notice at /<lang>/privacy/, the banner's answer at
/<lang>/privacy/cookies/."""

from django.urls import path

from tridex.privacy import views

app_name = "privacy"

urlpatterns = [
    path("account/privacy/", views.privacy_center, name="center"),
    path("account/privacy/export/", views.export_request, name="export_request"),
    path("account/privacy/export/<str:token>/", views.export_download, name="export_download"),
    path("account/privacy/requests/<int:request_id>/", views.request_detail, name="request"),
    path("account/privacy/delete/", views.account_delete, name="account_delete"),
    path("account/privacy/delete/cancel/", views.account_delete_cancel, name="delete_cancel"),
    path("privacy/", views.privacy_notice, name="notice"),
    path("privacy/cookies/", views.cookie_choice, name="cookie_choice"),
]
