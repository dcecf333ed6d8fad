"""Storefront URLs, mounted under the language prefix (/th/, /en/) by config/urls.py."""

from django.urls import path

from tridex.storefront import cart_views, checkout_views, views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<str:slug>/", views.category, name="category"),
    path("p/<str:slug>/", views.product, name="product"),
    path("p/<str:slug>/variant/", views.product_variant, name="product_variant"),
    path("p/<str:slug>/review/", views.product_review, name="product_review"),
    path("search/", views.search, name="search"),
    path("market/", views.market_switch, name="market"),
    path("cart/", cart_views.cart_page, name="cart"),
    path("cart/add/", cart_views.cart_add_view, name="cart_add"),
    path("cart/lines/<int:line_id>/", cart_views.cart_line_update, name="cart_line"),
    path("wishlist/", cart_views.wishlist_page, name="wishlist"),
    path("wishlist/change/", cart_views.wishlist_change, name="wishlist_change"),
    path("wishlist/shared/<str:token>/", cart_views.wishlist_shared, name="wishlist_shared"),
    path("checkout/", checkout_views.checkout, name="checkout"),
]
