"""The Celery app. Tasks live in each domain's ``tasks.py`` and are discovered here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tridex.config.settings")

app = Celery("tridex")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_configure.connect
def _configure_filesystem_broker(sender: Celery, **kwargs: object) -> None:
    """Point the embedded filesystem broker at folders under var/ (created on demand)."""
    from django.conf import settings

    if not str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        return
    folder = settings.CELERY_BROKER_FOLDER
    # Every folder under var/: kombu's default control folder is ./control, which littered
    # whatever directory the worker was started from.
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    sender.conf.broker_transport_options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "control_folder": str(folder / "control"),
    }


app.autodiscover_tasks()
