from django.contrib.auth import authenticate
from django.contrib.sites.models import Site

from tridex import cli


def test_demo_admin_is_created_then_given_a_fresh_password(db):
    first = cli._ensure_demo_admin()
    second = cli._ensure_demo_admin()
    assert first != second
    assert authenticate(email=cli.DEMO_ADMIN_EMAIL, password=first) is None
    user = authenticate(email=cli.DEMO_ADMIN_EMAIL, password=second)
    assert user is not None and user.is_superuser


def test_demo_site_points_emails_at_the_local_server(db):
    cli._ensure_demo_site("127.0.0.1", 8000)
    site = Site.objects.get(pk=1)
    assert site.domain == "127.0.0.1:8000"
    assert site.name


def test_unknown_words_go_to_django_management(db, capsys):
    assert cli.main(["check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_process_commands_use_this_python():
    import sys

    assert cli._serve_command("127.0.0.1", 8000, 3)[:3] == [sys.executable, "-m", "uvicorn"]
    assert "--workers" in cli._serve_command("127.0.0.1", 8000, 3)
    assert cli._worker_command(2)[-4:] == [
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
    ]
