import json
import os
import time

import pytest
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

    assert cli._serve_command("127.0.0.1", 8000, 3)[:3] == [sys.executable, "-m", "granian"]
    assert "--workers" in cli._serve_command("127.0.0.1", 8000, 3)
    assert cli._worker_command(2)[-4:] == [
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
    ]


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_serve_answers_on_both_interfaces(interface, tmp_path):
    """The real server process, started as production starts it, answers /healthz."""
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TRIDEX_VAR_DIR": str(tmp_path), "DEBUG": "false", "TRIDEX_HTTPS": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "tridex.cli", "serve", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--interface", interface],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.2)
        assert json.loads(body) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_demo_turns_the_staff_second_factor_off_and_says_so(monkeypatch, settings):
    monkeypatch.delenv("TRIDEX_STAFF_MFA_REQUIRED", raising=False)
    monkeypatch.delenv("TRIDEX_HTTPS", raising=False)
    cli._demo_environment()
    assert os.environ["TRIDEX_STAFF_MFA_REQUIRED"] == "0"
    settings.TRIDEX_STAFF_MFA_REQUIRED = False
    assert "OFF in this demo" in cli._staff_mfa_notice()


def test_the_demo_keeps_the_staff_second_factor_when_asked(monkeypatch, settings):
    monkeypatch.setenv("TRIDEX_STAFF_MFA_REQUIRED", "1")
    monkeypatch.delenv("TRIDEX_HTTPS", raising=False)
    cli._demo_environment()
    assert os.environ["TRIDEX_STAFF_MFA_REQUIRED"] == "1"
    settings.TRIDEX_STAFF_MFA_REQUIRED = True
    assert "required" in cli._staff_mfa_notice()
