"""The layout of docs/architecture.md §7 is true of the code: every app's modules are in its
tables, writes stay in services, and the imports go one way (read with `ast`, not run)."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # observatoire/
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
APPS = ["core", "accounts", "territoires", "questionnaires", "barometre", "registre", "cas_usage", "diagnostic"]  # fmt: skip
PRODUCT_APPS = APPS[1:]
# Calls that write to the database: Model.objects.<write>(…) and transaction.atomic (a
# model's own save() is left to review).
WRITES = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}


def layout() -> tuple[set[str], dict[str, set[str]], set[str]]:
    """(standard names, each app's domain modules, the exceptions to writes-in-services),
    read from the section of docs/architecture.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## 7. One layout for every app")[1]
    standard: set[str] = set()
    domain: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        )
        if len(cells) != 2 or set(cells[0]) <= {"-"}:
            continue
        names = {n.removesuffix(".py").rstrip("/") for n in re.findall(r"`([\w./]+)`", cells[0])}
        if cells[0].strip("`") in APPS:
            domain[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
        else:
            standard |= names
    exceptions_text = text.split("Exceptions to")[1].split("\n\n")[0]
    exceptions = {
        f"{app}/{m}" for app, m in re.findall(r"`(\w+)/(\w+)(?:\.py|/)`", exceptions_text)
    }
    return standard, domain, exceptions


def _writes(node: ast.Attribute) -> bool:
    receiver = node.value
    if node.attr in WRITES:
        return isinstance(receiver, ast.Attribute) and receiver.attr == "objects"
    return node.attr == "atomic" and isinstance(receiver, ast.Name) and receiver.id == "transaction"


def modules(app: str) -> list[str]:
    """The app's modules and packages (tests and migrations are Django's)."""
    root = PACKAGE / app
    return sorted(
        p.name.removesuffix(".py")
        for p in root.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py")
        or (p.is_dir() and (p / "__init__.py").exists())
    )


def source_files(app: str, tests: bool = False):
    for path in sorted((PACKAGE / app).rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or ("tests" in parts) != tests:
            continue
        yield path


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("app", APPS)
def test_every_module_is_in_the_layout_table(app):
    """Each module of an app has a standard name or is listed as a domain module of the app."""
    standard, domain, _ = layout()
    unknown = [m for m in modules(app) if m not in standard | domain.get(app, set())]
    assert not unknown, f"{app}: modules absent from docs/architecture.md §7: {unknown}"


def test_the_table_lists_no_module_that_is_gone():
    """A renamed or removed module leaves the table too."""
    _, domain, _ = layout()
    assert set(domain) == set(APPS)
    for app, names in domain.items():
        assert names <= set(modules(app)), f"{app}: {names - set(modules(app))}"


def test_staff_pages_have_one_name():
    """Back-office pages are in views_staff.py, never in another views module."""
    odd = [
        f"{app}/{m}"
        for app in APPS
        for m in modules(app)
        if "views" in m and m not in ("views", "views_staff")
    ]
    assert not odd


@pytest.mark.parametrize("app", APPS)
def test_writes_stay_in_services(app):
    """create / bulk_create / transaction.atomic… only in services, models, demo data,
    commands and the exceptions the table names."""
    _, _, exceptions = layout()
    allowed = {"services", "models", "demo", "factories", "management"}
    found = []
    for path in source_files(app):
        parts = path.relative_to(PACKAGE / app).with_suffix("").parts
        if parts[0] in allowed or f"{app}/{parts[0]}" in exceptions:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and _writes(node):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
    assert not found, found


def test_apps_that_decide_access_have_access_py():
    """An app whose pages or API refuse access decides it in access.py."""
    missing = []
    for app in PRODUCT_APPS:
        refuses = any(
            "PermissionDenied" in path.read_text(encoding="utf-8")
            for path in source_files(app)
            if path.stem in ("views", "views_staff", "api")
        )
        if refuses and not (PACKAGE / app / "access.py").exists():
            missing.append(app)
    assert not missing


def test_nothing_imports_the_api_but_the_project():
    """observatoire/api.py is the composition root: no app module imports it back."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for app in APPS
        for path in source_files(app)
        if any(name == "observatoire.api" or name.startswith("observatoire.api.") for name in imported(path))
    ]  # fmt: skip
    assert not offenders


@pytest.mark.parametrize("package", ["core", "stats"])
def test_core_and_stats_import_no_product_app(package):
    """core and stats are shared below the product apps: they import none of them."""
    product = tuple(f"observatoire.{app}" for app in PRODUCT_APPS)
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in source_files(package)
        for name in sorted(imported(path))
        if name.startswith(product) or name in ("observatoire.api", "observatoire.views")
    ]
    assert not offenders


def test_every_app_api_imports_first():
    """Each app's api.py imports in a fresh interpreter, before anything else of the site."""
    apps = [app for app in APPS if (PACKAGE / app / "api.py").exists()]
    assert len(apps) >= 7
    for app in apps:
        code = f"import django; django.setup(); import observatoire.{app}.api"
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "observatoire.settings"},
        )
        assert result.returncode == 0, f"{app}: {result.stderr[-2000:]}"
