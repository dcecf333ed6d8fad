"""Where exports are kept: a private folder outside MEDIA_ROOT, never served by URL.

A file is reached only through the signed, expiring link of ``views.export_download``; its name
adds a random part so that even someone with access to the folder listing of another process
cannot guess the next one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def export_storage() -> FileSystemStorage:
    """The storage of export ZIPs (read from settings on each call, so tests can move it)."""
    return FileSystemStorage(location=settings.TRIDEX_PRIVACY_EXPORT_DIR, base_url=None)
