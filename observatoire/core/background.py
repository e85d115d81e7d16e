"""Work that outlives its request: a daemon thread per job (each takes seconds, not hours).

The thread closes its own database connection when done; the job's row is how the page
follows it, so a job must record its own success or failure.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def start(func: Callable[..., Any], *args: Any) -> None:
    def run() -> None:
        try:
            func(*args)
        finally:
            connection.close()

    threading.Thread(target=run, daemon=True).start()
