"""The ``tridex`` command.

``tridex demo`` prepares and runs the demo shop (web server, Celery worker and beat);
``tridex serve``/``worker``/``beat`` run one process each for production; anything else is a
Django management command (``tridex migrate``, ``tridex seed --scale 10000``, ...).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess  # nosec B404  # starts Tridex's own processes from fixed argument lists
import sys
import time
from collections.abc import Sequence

SETTINGS = "tridex.config.settings"
DEMO_ADMIN_EMAIL = "admin@tridex.local"


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


# Threads per web worker for the WSGI interface: requests block on the database, so a second
# thread keeps each worker's core busy; more only fight over the GIL (benchmarks/RESULTS.md,
# buying: 2 threads gave place-order p95 135-149 ms at 16 buyers, 4 threads 179-192 ms).
# The database sees workers x threads connections.
WEB_THREADS = 2


def _serve_command(
    host: str, port: int, workers: int, interface: str = "wsgi", threads: int = WEB_THREADS
) -> list[str]:
    """Granian, a Rust HTTP server for Python's ASGI and WSGI interfaces.

    Plain HTTP goes through Django's WSGI handler by default: on 2 cores it answers several
    times the requests of Django's ASGI handler, which starts a thread per request
    (docs/decisions/0002-web-server-and-page-cache.md). ``--interface asgi`` serves the ASGI
    application.
    """
    app = (
        "tridex.config.asgi:application"
        if interface == "asgi"
        else "tridex.config.wsgi:application"
    )
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads if interface == "wsgi" else 1),
        "--respawn-failed-workers",
        "--no-access-log",
        app,
    ]


def _worker_command(concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tridex.config",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
    ]


def _beat_command() -> list[str]:
    from django.conf import settings

    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tridex.config",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        settings.CELERY_BEAT_SCHEDULE_FILENAME,
    ]


def _ensure_demo_admin() -> str:
    """Create (or reset) the demo owner account and return its new password."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(12)
    user_model = get_user_model()
    user = user_model.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if user is None:
        user = user_model.objects.create_superuser(email=DEMO_ADMIN_EMAIL, password=password)
    else:
        user.set_password(password)
        user.is_staff = user.is_superuser = user.is_active = True
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
    )
    return password


def _ensure_demo_site(host: str, port: int) -> None:
    """Name the site after the demo brand so account emails link back to this server."""
    from django.contrib.sites.models import Site

    from tridex.demo.content import BRAND_EN

    Site.objects.update_or_create(pk=1, defaults={"domain": f"{host}:{port}", "name": BRAND_EN})


def _run_processes(commands: dict[str, list[str]]) -> int:
    """Run processes side by side until one exits or Ctrl-C; then stop them all."""
    children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603  # nosec B603  # fixed argument lists, no shell
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"tridex: {name} exited with {child.returncode}; stopping.")
                    code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return code


def _demo_environment() -> None:
    """Set the demo's defaults (the web, worker and beat processes inherit them)."""
    # The demo serves plain HTTP on loopback; production keeps the HTTPS defaults.
    os.environ.setdefault("TRIDEX_HTTPS", "0")
    # The demo owner signs in to /admin/ with a password alone; a real shop keeps this on.
    os.environ.setdefault("TRIDEX_STAFF_MFA_REQUIRED", "0")


def _staff_mfa_notice() -> str:
    """One line that says whether staff need a second factor to reach the back office."""
    from django.conf import settings

    if settings.TRIDEX_STAFF_MFA_REQUIRED:
        return "  Staff 2FA:         required (set up an authenticator app or key on first visit)"
    return (
        "  Staff 2FA:         OFF in this demo (TRIDEX_STAFF_MFA_REQUIRED=0); "
        "a real shop keeps it on"
    )


def demo(args: argparse.Namespace) -> int:
    _demo_environment()
    _django_setup()
    from django.conf import settings

    print("tridex: preparing the database ...")
    _manage("migrate", "--noinput", "-v", "0")
    _manage("collectstatic", "--noinput", "-v", "0")
    _manage("seed")
    _ensure_demo_site(args.host, args.port)
    password = _ensure_demo_admin()
    url = f"http://{args.host}:{args.port}"
    print(
        "\n"
        f"  Tridex demo shop:  {url}/th/   (English: {url}/en/)\n"
        f"  Back office:       {url}/admin/\n"
        f"  API docs:          {url}/api/v1/docs\n"
        f"  Admin login:       {DEMO_ADMIN_EMAIL} / {password}\n"
        f"{_staff_mfa_notice()}\n"
        f"  Database:          {settings.DATABASES['default']['NAME']}\n"
        "  Press Ctrl-C to stop.\n",
        flush=True,
    )
    return _run_processes(
        {
            "web": _serve_command(args.host, args.port, args.workers, args.interface, args.threads),
            "worker": _worker_command(1),
            "beat": _beat_command(),
        }
    )


def serve(args: argparse.Namespace) -> int:
    _django_setup()
    cmd = _serve_command(args.host, args.port, args.workers, args.interface, args.threads)
    # Become the server: a process manager's signals then reach Granian itself, which stops its
    # workers (a child would leave them running, still bound to the port).
    os.execv(cmd[0], cmd)  # noqa: S606  # nosec B606  # execs our own server with a fixed argument list


def worker(args: argparse.Namespace) -> int:
    _django_setup()
    return subprocess.call(_worker_command(args.concurrency))  # noqa: S603  # nosec B603  # fixed argument list, no shell


def beat(args: argparse.Namespace) -> int:
    _django_setup()
    return subprocess.call(_beat_command())  # noqa: S603  # nosec B603  # fixed argument list, no shell


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tridex", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name, func, help_text in (
        ("demo", demo, "prepare and run the demo shop with worker and scheduler"),
        ("serve", serve, "run the web server (Granian)"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=2 if name == "demo" else os.cpu_count() or 2)
        p.add_argument(
            "--interface",
            choices=["wsgi", "asgi"],
            default="wsgi",
            help="Django handler behind Granian (default wsgi: see docs/decisions/0002)",
        )
        p.add_argument(
            "--threads",
            type=int,
            default=WEB_THREADS,
            help=f"threads per web worker (wsgi; default {WEB_THREADS})",
        )
        p.set_defaults(func=func)
    p = sub.add_parser("worker", help="run a Celery worker")
    p.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    p.set_defaults(func=worker)
    p = sub.add_parser("beat", help="run the Celery beat scheduler")
    p.set_defaults(func=beat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own = {"demo", "serve", "worker", "beat", "-h", "--help"}
    if argv and argv[0] not in own:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["tridex", *argv])
        return 0
    args = _parser().parse_args(argv)
    if not getattr(args, "func", None):
        _parser().print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
