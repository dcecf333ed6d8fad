"""``./run lint``'s pip-audit step (``audit_dependencies`` in ``run``): a finding fails, an audit
that could not happen says so without failing (docs/decisions/0010-security-hardening.md).

pip-audit itself is replaced by a stand-in that answers as the real one does in each case (its
JSON report, its exit code, its traceback), since its vulnerability service is not reachable
from the test machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "run"


def audit(tmp_path: Path, *, report: dict | None, exit_code: int, stderr: str = "") -> tuple:
    """Run ``audit_dependencies`` against a pip-audit that answers with ``report``."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    answer = tmp_path / "answer.json"
    if report is not None:
        answer.write_text(json.dumps(report))
    fake = bin_dir / "pip-audit"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done\n'
        f'[ -f "{answer}" ] && cp "{answer}" "$out"\n'
        f"printf '%s' {json.dumps(stderr)} >&2\n"
        f"exit {exit_code}\n"
    )
    fake.chmod(0o755)
    script = (
        f"eval \"$(sed -n '/^audit_dependencies() {{/,/^}}/p' {RUN})\"\n"
        f'VENV="{tmp_path / "venv"}"\n'
        "audit_dependencies\n"
    )
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    return result.returncode, result.stdout + result.stderr


def test_a_known_vulnerability_fails_the_lint_and_names_the_fix(tmp_path):
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "6.1.0",
                "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["6.1.1"]}],
            },
            {"name": "celery", "version": "5.6.0", "vulns": []},
        ]
    }
    code, output = audit(tmp_path, report=report, exit_code=1)
    assert code == 1
    assert "django 6.1.0: PYSEC-2026-1 (fixed in 6.1.1)" in output


def test_a_clean_audit_passes_and_counts_the_packages(tmp_path):
    report = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
    code, output = audit(tmp_path, report=report, exit_code=0)
    assert code == 0
    assert "pip-audit: 1 packages audited, no known vulnerabilities." in output


def test_a_package_the_reachable_service_does_not_know_fails(tmp_path):
    report = {
        "dependencies": [
            {"name": "django", "version": "6.1.3", "vulns": []},
            {"name": "private-lib", "skip_reason": "Dependency not found on PyPI: private-lib"},
        ]
    }
    code, output = audit(tmp_path, report=report, exit_code=0)
    assert code == 1
    assert "could not audit Dependency not found on PyPI: private-lib" in output


@pytest.mark.parametrize(
    ("report", "stderr"),
    [
        # An index mirror without the JSON API: every package "not found", exit 0.
        (
            {
                "dependencies": [
                    {"name": "django", "skip_reason": "Dependency not found on PyPI: django"},
                    {"name": "celery", "skip_reason": "Dependency not found on PyPI: celery"},
                ]
            },
            "",
        ),
        # No route to the service: pip-audit crashes before writing a report.
        (None, "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev')"),
    ],
)
def test_an_unreachable_service_is_reported_as_not_audited_without_failing(
    tmp_path, report, stderr
):
    code, output = audit(tmp_path, report=report, exit_code=0 if report else 1, stderr=stderr)
    assert code == 0
    assert "pip-audit: NOT AUDITED" in output


def test_any_other_pip_audit_crash_fails(tmp_path):
    code, output = audit(tmp_path, report=None, exit_code=2, stderr="ValueError: bad requirement")
    assert code == 2
    assert "ValueError: bad requirement" in output
