"""The architecture, checked: the library never imports the engine, and no module imports
one that imports it back, in the Python package and in the Rust crate (docs/design.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "libsourcemap"
RUST = ROOT / "rust" / "src"

#: The engine and the applications built on the library (Python subpackages; `python -m
#: libsourcemap` runs the CLI).
ENGINE_PACKAGES = {"symbolication", "bundle", "events", "cli", "compat", "__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_shim(path: Path) -> bool:
    """An old import path kept as an alias of the module that moved."""
    return path.read_text("utf-8").startswith('"""Moved to ')


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The modules ``path`` imports when it is imported: module-level statements only
    (not those in functions, nor ``if TYPE_CHECKING:`` blocks, which never run)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                # `from pkg import sub` imports the submodule when there is one.
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
    return {m for m in found if m in modules and m != name}


def _python_graph() -> dict[str, set[str]]:
    paths = [p for p in PACKAGE.rglob("*.py") if p.name != "_lowlevel.py" and not _is_shim(p)]
    # The generated CFFI module is a leaf: known, not parsed.
    modules = {_module_name(p) for p in paths} | {"libsourcemap._lowlevel"}
    return {_module_name(p): _top_level_imports(p, modules) for p in paths}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` if there is one (depth first, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_python_package_has_no_import_cycle() -> None:
    graph = _python_graph()
    assert "libsourcemap.view" in graph and "libsourcemap.symbolication.symbolicator" in graph
    assert _cycle(graph) is None


def test_python_library_never_imports_the_engine() -> None:
    for module, imports in _python_graph().items():
        if module.split(".")[1:2] and module.split(".")[1] in ENGINE_PACKAGES:
            continue
        engine = {m for m in imports if m.split(".")[1:2] and m.split(".")[1] in ENGINE_PACKAGES}
        assert not engine, f"{module} imports the engine: {engine}"


def _rust_graph() -> dict[str, set[str]]:
    """File-level `use`/path dependencies between the crate's modules (`engine::resolver`,
    `view`, ...); `super::` and `crate::` paths both count."""
    graph: dict[str, set[str]] = {}
    files = {
        str(p.relative_to(RUST).with_suffix("")).replace("/", "::").removesuffix("::mod"): p
        for p in RUST.rglob("*.rs")
    }
    for name, path in files.items():
        text = path.read_text("utf-8")
        text = text.split("#[cfg(test)]")[0]  # unit tests may reach anywhere
        parent = name.rsplit("::", 1)[0] if "::" in name else ""
        used = set()
        for prefix, rest in re.findall(r"\b(crate|super)::((?:\w+::)*\w+)", text):
            base = rest if prefix == "crate" else f"{parent}::{rest}".strip(":")
            parts = base.split("::")
            # The longest prefix that is a module of the crate.
            for end in range(len(parts), 0, -1):
                candidate = "::".join(parts[:end])
                if candidate in files:
                    used.add(candidate)
                    break
        # `use super::{a, b}` groups.
        for group in re.findall(r"use super::\{([^}]*)\}", text):
            for item in re.findall(r"\b(\w+)\b", group):
                candidate = f"{parent}::{item}".strip(":")
                if candidate in files:
                    used.add(candidate)
        graph[name] = used - {name, parent}
    return graph


def test_rust_crate_has_no_module_cycle() -> None:
    graph = _rust_graph()
    assert {"view", "load", "engine::resolver", "cabi::view"} <= set(graph)
    assert "view" in graph["engine::resolver"]
    assert _cycle(graph) is None


def test_rust_library_never_uses_the_engine_or_the_abi() -> None:
    for module, used in _rust_graph().items():
        if module.startswith(("engine", "cabi")) or module == "lib":
            continue
        wrong = {m for m in used if m.startswith(("engine", "cabi"))}
        assert not wrong, f"library module {module} uses {wrong}"
    for module, used in _rust_graph().items():
        if module.startswith("engine"):
            assert not {m for m in used if m.startswith("cabi")}, module


def test_every_package_is_in_the_wheel() -> None:
    """pyproject.toml lists the packages a wheel gets: every directory of the package with
    an ``__init__.py`` must be there (a subpackage missing from the list is missing from
    every install but an editable one)."""
    # Read with a pattern, not tomllib: the PyPy in CI is Python 3.9.
    block = re.search(
        r"\[tool\.setuptools\]\s*packages = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(), re.S
    )
    assert block is not None
    listed = set(re.findall(r'"([\w.]+)"', block.group(1)))
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "libsourcemap").rglob("__init__.py")
    }
    assert listed == found
