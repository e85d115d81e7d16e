"""Running as a service: hashed static files, /sante/, cached public pages, JSON logs."""

import json
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from observatoire.core import jobs
from observatoire.core.logs import JsonFormatter
from observatoire.core.models import WorkerHeartbeat
from observatoire.core.tests.test_settings import run

pytestmark = pytest.mark.django_db


def test_static_files_collect_with_hashed_names(settings, tmp_path):
    """Production's manifest storage accepts every shipped file (the vendored Vega files
    named source maps that are not shipped) and pages link the hashed names."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/vega/vega.min.js"]
    assert hashed != "vendor/vega/vega.min.js" and (tmp_path / hashed).exists()
    from django.templatetags.static import static

    assert static("vendor/htmx.min.js") == "/static/" + manifest["vendor/htmx.min.js"]


def test_health_reports_database_cache_and_worker(client, settings):
    """200 with the database and the cache up; the worker is reported, not required."""
    body = client.get("/sante/").json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["cache"]["ok"]
    assert body["worker"] == {"ok": False, "last_heartbeat": None}
    jobs.worker_beat("essai")
    body = client.get("/sante/").json()
    assert body["worker"]["ok"] and body["worker"]["last_heartbeat"]
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timezone.timedelta(hours=1))
    assert client.get("/sante/").json()["worker"]["ok"] is False


def test_health_fails_when_the_cache_is_down(client, settings):
    """A Redis nobody listens to (a closed port): 503, the cache named."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["status"] == "erreur" and not response.json()["cache"]["ok"]


def test_logs_are_one_json_line_per_event():
    """The production formatter writes each event, exception included, as one JSON line."""
    try:
        raise ValueError("panne")
    except ValueError:
        record = logging.LogRecord("obs", logging.ERROR, __file__, 1, "échec %s", ("x",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    event = json.loads(line)
    assert event["message"] == "échec x" and event["level"] == "ERROR"
    assert "ValueError: panne" in event["exception"]


def test_a_bad_cache_url_stops_the_start():
    result = run(["check"], CACHE_URL="memcached://127.0.0.1")
    assert "CACHE_URL must be redis://… or locmem://" in result.stderr


PRODUCTION = {
    "OBSERVATOIRE_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-Xy9!zQ" * 8,
    "ALLOWED_HOSTS": "observatoire.example.fr",
}


def test_production_logs_json_and_reports_errors_to_sentry():
    """In production each log event is one JSON line; SENTRY_DSN turns Sentry on."""
    code = (
        "import logging, sentry_sdk; logging.getLogger('observatoire').warning('essai %s', 1);"
        "print(sentry_sdk.get_client().is_active())"
    )
    result = run(["shell", "-c", code], **PRODUCTION, SENTRY_DSN="http://cle@127.0.0.1:9/1")
    assert result.stdout.strip().endswith("True"), result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"message": "essai 1", "level": "WARNING"}.items() <= events[-1].items()
    assert run(["shell", "-c", code], **PRODUCTION).stdout.strip().endswith("False")
