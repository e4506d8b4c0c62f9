"""The import-linter contracts in pyproject.toml bite: an import against the app graph fails lint-imports.

The packages are copied to a temporary directory (the working tree is never touched, so parallel test
workers are safe); the copy passes as it is, then each case adds one probe module with a forbidden import
and lint-imports must fail, naming the broken contract and the probe. No database.
"""

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _root_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages: list[str] = config["tool"]["importlinter"]["root_packages"]
    return packages


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(tree), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the Python packages and the import-linter configuration (no templates, data or caches)."""
    copy = tmp_path_factory.mktemp("architecture")
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "static", "locale", "*.mo", "*.po")
    for package in _root_packages():
        shutil.copytree(ROOT / package, copy / package, ignore=ignore)
    yield copy


def test_the_contracts_are_kept_by_the_tree_as_it_is(tree: Path) -> None:
    """The control: without a probe the copy passes, so a failure below comes from the probe alone."""
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


DAG = "Apps form a one-way graph"
APP_LAYERS = "Inside every app"


@pytest.mark.parametrize(
    ("probe", "source", "contract", "reported"),
    [
        # an app imports an app above it (orders is above merchants)
        (
            "merchants/upward_probe.py",
            "from orders import selectors",
            DAG,
            "merchants.upward_probe -> orders.selectors",
        ),
        # the kernel imports an app
        (
            "platform_core/upward_probe.py",
            "import merchants.models",
            DAG,
            "platform_core.upward_probe -> merchants.models",
        ),
        # two independent apps of the same layer
        (
            "jury/sideways_probe.py",
            "from fieldwork import services",
            DAG,
            "jury.sideways_probe -> fieldwork.services",
        ),
        # the documented exception is merchants -> catalog.models only, not catalog's services
        (
            "merchants/catalog_probe.py",
            "from catalog import services",
            DAG,
            "merchants.catalog_probe -> catalog.services",
        ),
        # the simulator is the top: nothing imports it
        (
            "orders/simulation_probe.py",
            "import simulation.engine",
            DAG,
            "orders.simulation_probe -> simulation.engine",
        ),
        # inside an app: the models never import the services (appended to the copy's models/__init__.py)
        (
            "orders/models/__init__.py",
            "from orders import services",
            APP_LAYERS,
            "orders.models -> orders.services",
        ),
    ],
)
def test_an_import_against_the_graph_fails_lint_imports(
    tree: Path, probe: str, source: str, contract: str, reported: str
) -> None:
    path = tree / probe
    original = path.read_text() if path.exists() else None
    path.write_text(f"{original or ''}\n{source}  # noqa\n")
    try:
        result = _lint(tree)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "BROKEN" in result.stdout, result.stdout
    assert contract in result.stdout
    assert reported in result.stdout, result.stdout
