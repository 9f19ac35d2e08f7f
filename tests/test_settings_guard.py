"""Settings refuse to start without real secrets and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from exporthub.devenv import write_dev_env

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = "Qx7-vL2pN9sK4mT8wR1yB6cF3hJ5dG0aZ_eU-oI9nXqPzWlKtYvMbHc"


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with only the given settings (no .env, no inherited secrets)."""
    return _python(tmp_path, "manage.py", *args, **env)


def _python(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update(
        {
            "ENV_FILE": str(tmp_path / "absent.env"),
            "VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "exporthub.settings",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_it_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_weak_secret_key_in_production(tmp_path: Path) -> None:
    keys = Fernet.generate_key().decode()
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY="short", FIELD_ENCRYPTION_KEYS=keys
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_it_refuses_to_start_without_encryption_keys(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_it_names_a_bad_encryption_key_without_printing_it(tmp_path: Path) -> None:
    good = Fernet.generate_key().decode()
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=f"{good},not-a-real-key-canary",
    )  # fmt: skip
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS entry 2 is not a valid Fernet key" in result.stderr
    assert "not-a-real-key-canary" not in result.stderr + result.stdout


def test_it_refuses_an_event_retention_shorter_than_the_backfill_and_late_events(
    tmp_path: Path,
) -> None:
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), EVENT_RETENTION_DAYS="3",
    )  # fmt: skip
    assert result.returncode != 0
    assert "EVENT_RETENTION_DAYS is 3; it must be at least 4" in result.stderr


def test_a_negative_slice_size_is_refused_at_startup(tmp_path: Path) -> None:
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), EXPORT_SLICE_ROWS="-5",
    )  # fmt: skip
    assert result.returncode != 0
    assert "EXPORT_SLICE_ROWS must be 0 (never split) or a row count" in result.stderr


def test_a_seat_role_arn_without_the_seat_id_is_refused_at_startup(tmp_path: Path) -> None:
    # Without "{seat_id}" every tenant would share one role: a bucket policy granting it would
    # let any tenant export into that bucket.
    shared = "arn:aws:iam::123456789012:role/exporthub-seats"
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), S3_SEAT_ROLE_ARN=shared,
    )  # fmt: skip
    assert result.returncode != 0
    assert "S3_SEAT_ROLE_ARN must contain {seat_id}" in result.stderr


def test_a_shared_seat_role_in_the_settings_module_is_refused_at_startup(tmp_path: Path) -> None:
    # A deployment's own settings module may set the role instead of the environment: the same
    # role for every tenant must stop the start there too.
    (tmp_path / "shared_role_settings.py").write_text(
        "from exporthub.settings import *  # noqa: F403\n"
        "S3_SEAT_ROLE_ARN = 'arn:aws:iam::123456789012:role/exporthub-seats'\n"
    )
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_SETTINGS_MODULE="shared_role_settings", PYTHONPATH=str(tmp_path),
    )  # fmt: skip
    assert result.returncode != 0
    assert "S3_SEAT_ROLE_ARN must contain {seat_id}" in result.stderr


def test_make_run_stops_at_its_first_step_on_a_shared_seat_role(tmp_path: Path) -> None:
    """`make run` migrates first: the shared role stops it there, before any worker starts."""
    shared = "arn:aws:iam::123456789012:role/exporthub-seats"
    result = _manage(
        tmp_path, "migrate", "--noinput", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), S3_SEAT_ROLE_ARN=shared,
    )  # fmt: skip
    assert result.returncode != 0
    assert "S3_SEAT_ROLE_ARN must contain {seat_id}" in result.stderr
    assert "Applying" not in result.stdout


@pytest.mark.parametrize(
    "process",
    [
        "from exporthub.wsgi import application",  # gunicorn's web process
        "from exporthub.celery import app; app.loader.init_worker()",  # a worker's start
    ],
)
def test_a_shared_seat_role_stops_the_web_and_worker_processes_too(
    tmp_path: Path, process: str
) -> None:
    """Neither gunicorn nor Celery runs Django's checks as manage.py does: with a shared role
    they would start, fail every bucket-policy export as permanent and deactivate them all."""
    result = _python(
        tmp_path, "-c", process, DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        S3_SEAT_ROLE_ARN="arn:aws:iam::123456789012:role/exporthub-seats",
    )  # fmt: skip
    assert result.returncode != 0
    assert "S3_SEAT_ROLE_ARN must contain {seat_id}" in result.stderr


@pytest.mark.parametrize("cap", ["VERIFY_CONCURRENCY_PER_TENANT", "EXPORT_WORKERS_PER_TENANT"])
def test_a_tenant_cap_of_zero_is_refused_at_startup(tmp_path: Path, cap: str) -> None:
    """Zero places would leave every Verify, or every export, waiting for ever."""
    result = _manage(
        tmp_path, "check", DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), **{cap: "0"},
    )  # fmt: skip
    assert result.returncode != 0
    assert cap in result.stderr and "must be at least 1" in result.stderr


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path: Path) -> None:
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY=STRONG_SECRET,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="exporthub.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_writes_a_dev_env_once(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    assert write_dev_env(target) is True
    first = target.read_text()
    assert write_dev_env(target) is False
    assert target.read_text() == first
    values = dict(
        line.split("=", 1) for line in first.splitlines() if line and not line.startswith("#")
    )
    Fernet(values["FIELD_ENCRYPTION_KEYS"])
    assert len(values["SECRET_KEY"]) >= 50
    assert values["DEBUG"] == "true"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
