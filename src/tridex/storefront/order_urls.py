"""The customer's order pages, under /<lang>/orders/ (namespace "orders")."""

from django.urls import path

from tridex.storefront import checkout_views

app_name = "orders"
urlpatterns = [
    path("", checkout_views.order_list, name="list"),
    path("t/<str:token>/", checkout_views.order_guest, name="guest"),
    path("t/<str:token>/pay/", checkout_views.order_retry_payment, name="retry_payment"),
    path("<str:number>/", checkout_views.order_detail, name="detail"),
    path("<str:number>/invoice/", checkout_views.order_invoice, name="invoice"),
    path("<str:number>/reorder/", checkout_views.order_reorder, name="reorder"),
]
