"""The package layout (issue 17): one ``calltone.*`` namespace, layers that only point down.

``audio`` imports nothing of ours, ``models`` imports ``audio``, ``service`` imports both; no
module imports itself back through a chain (module-level imports; an import inside a function
is a deliberate late binding and is allowed to point across, never up).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"audio": 0, "models": 1, "service": 2}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "calltone." + ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for top in LAYERS
        for p in (ROOT / top).rglob("*.py")
        if "migrations" not in p.parts
    }


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Our modules ``path`` imports; ``from pkg import name`` counts as ``pkg.name`` if a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mods = _modules()
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # `if TYPE_CHECKING:` blocks are not imports at run time
        nodes = [n for n in nodes if not isinstance(n, ast.If)]
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("calltone.")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("calltone."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in mods else base)
    return {m for m in found if m in mods}


def test_no_layer_imports_upwards() -> None:
    back_arrows = []
    for name, path in _modules().items():
        layer = LAYERS[name.split(".")[1]]
        for imported in _imports(path, top_level_only=False):
            if LAYERS[imported.split(".")[1]] > layer:
                back_arrows.append(f"{name} -> {imported}")
    assert not back_arrows, "imports against the layers (audio -> models -> service):\n" + "\n".join(
        sorted(back_arrows)
    )


def test_no_import_cycles() -> None:
    graph = {name: _imports(path, top_level_only=True) for name, path in _modules().items()}
    # a package's __init__ importing its own modules is how packages re-export; not a cycle
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_check_sees_a_back_arrow(tmp_path: Path) -> None:
    """The checker itself: a models module importing the service is reported."""
    bad = ROOT / "models" / "_layout_probe.py"
    bad.write_text("from calltone.service.settings import Settings\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match=re.escape("models._layout_probe -> calltone.service.settings")):
            test_no_layer_imports_upwards()
    finally:
        bad.unlink()


def test_every_package_folder_is_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {
        "calltone." + ".".join(p.parent.relative_to(ROOT).parts)
        for top in LAYERS
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert listed == folders, f"missing: {sorted(folders - listed)}; stale: {sorted(listed - folders)}"


@pytest.mark.slow
def test_the_wheel_installs_only_the_calltone_namespace(tmp_path: Path) -> None:
    """Nothing named audio, models or service lands top-level; the packaged data comes along."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("calltone-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"calltone", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for data in ("calltone/models/scoring/rubric.toml", "calltone/models/speech/cues.toml",
                 "calltone/service/static/board.html",
                 "calltone/service/storage/migrations/script.py.mako"):
        assert data in names
    # the installed wheel imports from a folder that is not the checkout
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    probe = (
        "import importlib.util as u, calltone.models, calltone.service;"
        "print(calltone.models.__path__[0]);"
        "print([m for m in ('audio', 'models', 'service') if u.find_spec(m)])"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split("\n")
    assert out[0].startswith(str(target))
    assert out[1] == "[]"
