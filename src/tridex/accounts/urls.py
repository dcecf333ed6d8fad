"""Account URLs under /<lang>/account/: Tridex's own pages (namespace "accounts") beside
allauth's, whose un-namespaced names (account_login, account_signup, ...) stay as allauth
documents them."""

from django.urls import include, path

from tridex.accounts import views

customer_patterns = [
    path("profile/", views.profile, name="profile"),
    path("addresses/", views.address_list, name="address_list"),
    path("addresses/add/", views.address_create, name="address_create"),
    path("addresses/<int:address_id>/edit/", views.address_update, name="address_update"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path(
        "addresses/<int:address_id>/default/",
        views.address_set_default,
        name="address_set_default",
    ),
    # Before allauth's own "sessions/" page, which this one replaces (same URL).
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
]

urlpatterns = [
    path("", include((customer_patterns, "accounts"), namespace="accounts")),
    path("", include("allauth.urls")),
]
