"""The package layout (issue 17): one ``calltone.*`` namespace, layers that only point down.

``audio`` imports nothing of ours, ``models`` imports ``audio``, ``service`` imports both; no
module imports itself back through a chain (module-level imports; an import inside a function
is a deliberate late binding and is allowed to point across, never up).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"audio": 0, "models": 1, "service": 2}


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "calltone." + ".".join(parts)


def _modules(root: Path) -> dict[str, Path]:
    return {
        _module_name(p, root): p
        for top in LAYERS
        for p in (root / top).rglob("*.py")
        if "migrations" not in p.parts
    }


def _imports(path: Path, root: Path, mods: dict[str, Path], *, top_level_only: bool) -> set[str]:
    """Our modules ``path`` imports; ``from pkg import name`` counts as ``pkg.name`` if a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # `if TYPE_CHECKING:` blocks are not imports at run time
        nodes = [n for n in nodes if not isinstance(n, ast.If)]
    found: set[str] = set()
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("calltone.")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if not base.startswith("calltone."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in mods else base)
    return {m for m in found if m in mods}


def back_arrows(root: Path) -> list[str]:
    """Imports (anywhere in a module) from a lower layer to a higher one, as ``a -> b``."""
    mods = _modules(root)
    out = []
    for name, path in mods.items():
        layer = LAYERS[name.split(".")[1]]
        for imported in _imports(path, root, mods, top_level_only=False):
            if LAYERS[imported.split(".")[1]] > layer:
                out.append(f"{name} -> {imported}")
    return sorted(out)


def import_cycles(root: Path) -> list[list[str]]:
    """Cycles of module-level imports (a package importing its own modules is not one)."""
    mods = _modules(root)
    graph = {
        name: {
            m
            for m in _imports(path, root, mods, top_level_only=True)
            if not m.startswith(name + ".")
        }
        for name, path in mods.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def test_no_layer_imports_upwards() -> None:
    found = back_arrows(ROOT)
    assert not found, "imports against the layers (audio -> models -> service):\n" + "\n".join(
        found
    )


def test_no_import_cycles() -> None:
    found = import_cycles(ROOT)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_checks_see_a_back_arrow_and_a_cycle(tmp_path: Path) -> None:
    """The checkers themselves, on a small tree with one of each fault (and a lazy import)."""
    root = _tree(
        tmp_path,
        {
            "audio/__init__.py": "",
            "models/__init__.py": "",
            "models/probe.py": "from calltone.service.settings import Settings\n",
            "models/a.py": "from calltone.models import b\n",
            "models/b.py": "from calltone.models.a import thing\n",
            "models/lazy.py": "def f():\n    from calltone.models import a\n",
            "service/__init__.py": "",
            "service/settings.py": "from calltone.models.lazy import f\n",
        },
    )
    assert back_arrows(root) == ["calltone.models.probe -> calltone.service.settings"]
    assert import_cycles(root) == [["calltone.models.a", "calltone.models.b", "calltone.models.a"]]


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
