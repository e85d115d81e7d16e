"""Command line: ``observatoire stats estimate DATA.csv --design DESIGN.yaml``."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    """Entry point called by ``observatoire stats``; returns the exit code."""
    from .design_file import run

    return run(argv)
