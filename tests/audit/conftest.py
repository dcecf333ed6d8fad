from tests.dashboard.conftest import _english, admin_client, make_staff, superuser  # noqa: F401
