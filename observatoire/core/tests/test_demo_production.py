"""`observatoire demo load` never runs in production: its accounts' password is public."""

import os
import sqlite3
import subprocess
import sys


def test_demo_load_refuses_in_production(tmp_path):
    """With OBSERVATOIRE_ENV=production the command stops with a French message and the
    database gets no account (the tables are created first, so a load would have written)."""
    database = tmp_path / "prod.sqlite3"
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 20 + "-Xy9!zQ" * 8,
        "ALLOWED_HOSTS": "observatoire.example.fr",
    }

    def run(*args: str, env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "observatoire.cli", *args],
            capture_output=True,
            text=True,
            env=environ | {"OBSERVATOIRE_ENV": env},
            check=False,
        )

    migrated = run("migrate", "--verbosity", "0", env="development")
    assert migrated.returncode == 0, migrated.stderr
    result = run("demo", "load", env="production")
    assert result.returncode != 0
    assert "Refusé : OBSERVATOIRE_ENV=production" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM accounts_user").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM territoires_authority").fetchone() == (0,)
