"""The `observatoire` command: Django's manage.py, plus `observatoire stats` without Django."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["stats"]:
        from observatoire.stats.cli import main as stats_main

        return stats_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["observatoire", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
