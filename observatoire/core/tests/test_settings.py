"""Production settings: secrets from the environment, no deploy warning, DEBUG off."""

import os
import subprocess
import sys

from django.conf import settings


def run(args, **env):
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "observatoire.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        OBSERVATOIRE_ENV="production",
        SECRET_KEY="k" * 20 + "-Xy9!zQ" * 8,
        ALLOWED_HOSTS="observatoire.example.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["check"], OBSERVATOIRE_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required in production" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = run(["check"], DEBUG="peut-être")
    assert "DEBUG must be a boolean" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False
    assert settings.LANGUAGE_CODE == "fr-fr"
