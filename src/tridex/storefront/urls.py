"""Storefront URLs, mounted under the language prefix (/th/, /en/) by config/urls.py."""

from django.urls import path

from tridex.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<str:slug>/", views.category, name="category"),
    path("p/<str:slug>/", views.product, name="product"),
    path("p/<str:slug>/variant/", views.product_variant, name="product_variant"),
    path("search/", views.search, name="search"),
    path("market/", views.market_switch, name="market"),
]
