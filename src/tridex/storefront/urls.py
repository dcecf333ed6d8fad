app_name = "storefront"
urlpatterns: list = []  # type: ignore[type-arg]
