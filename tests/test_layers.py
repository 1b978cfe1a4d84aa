"""The architecture, checked: the library never imports the engine, and no module imports
one that imports it back, in the Python package and in the Rust crate (docs/design.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "libsourcemap"
RUST = ROOT / "rust" / "src"

#: The layers of the Python package (docs/design.md), by top-level module or subpackage;
#: every other module is the library. The library imports no other layer; the writers
#: and the engine import the library (and their own layer), never each other; the
#: applications (the command line, the drop-ins) may import any layer.
LAYERS = {
    "writing": "writers",
    "resolver": "engine",
    "_scopes": "engine",
    "symbolication": "engine",
    "bundle": "engine",
    "events": "engine",
    "cli": "applications",
    "visualize": "applications",
    "compat": "applications",
    "__main__": "applications",
}
MAY_IMPORT = {
    "library": {"library"},
    "writers": {"library", "writers"},
    "engine": {"library", "engine"},
    "applications": {"library", "writers", "engine", "applications"},
}
#: The package itself: it re-exports every layer's public names (lazily, PEP 562), so it
#: belongs to none; at import time it loads the library alone.
FACADE = "libsourcemap"


def _layer(module: str) -> str:
    parts = module.split(".")
    return LAYERS.get(parts[1], "library") if len(parts) > 1 else "facade"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _imported_from(package: str, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` in ``package`` reads."""
    if not node.level:
        return node.module or ""
    anchor = package.split(".")
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))


def _module_level_imports(
    name: str, is_package: bool, source: str, modules: set[str], typing_too: bool = True
) -> set[str]:
    """The modules a module imports when it is imported, or when a type checker reads it:
    statements at module level, in class bodies and in ``if``/``try`` blocks, including
    ``if TYPE_CHECKING:`` blocks (unless ``typing_too`` is false); not those in
    functions, which run later (the lazy imports that keep the layers apart)."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _imported_from(package, node)
                for alias in node.names:
                    # `from pkg import sub` imports the submodule when there is one.
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else base)
            elif isinstance(node, ast.If) and _is_type_checking(node) and not typing_too:
                visit(node.orelse)
            elif isinstance(node, (ast.If, ast.Try, ast.ClassDef, ast.With)):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(source).body)
    return {m for m in found if m in modules and m != name}


def _python_sources() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if p.name != "_lowlevel.py"}


def _python_graph(typing_too: bool = True) -> dict[str, set[str]]:
    sources = _python_sources()
    # The generated CFFI module is a leaf: known, not parsed.
    modules = set(sources) | {"libsourcemap._lowlevel"}
    return {
        name: _module_level_imports(
            name, path.name == "__init__.py", path.read_text("utf-8"), modules, typing_too
        )
        for name, path in sources.items()
    }


def _layer_violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, imports in sorted(graph.items()):
        if module == FACADE:
            continue
        allowed = MAY_IMPORT[_layer(module)]
        for target in sorted(imports):
            if target != FACADE and _layer(target) not in allowed:
                wrong.append(f"{module} ({_layer(module)}) imports {target} ({_layer(target)})")
    return wrong


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
    """``if TYPE_CHECKING:`` imports count: a cycle there is one for the type checker and
    for every reader."""
    graph = _python_graph()
    assert "libsourcemap.view" in graph and "libsourcemap.symbolication.symbolicator" in graph
    assert _cycle(graph) is None


def test_python_layers_import_only_downwards() -> None:
    assert _layer("libsourcemap.view") == "library"
    assert _layer("libsourcemap.resolver") == "engine"
    assert _layer("libsourcemap.writing.remapping") == "writers"
    assert _layer_violations(_python_graph()) == []


def test_layer_check_fails_when_the_view_imports_the_engine() -> None:
    """The check itself, on view.py with one import of the engine added, at module level
    or for the type checker only: both are caught (a layer crossed, and a cycle, since
    the resolver imports the view)."""
    sources = _python_sources()
    modules = set(sources) | {"libsourcemap._lowlevel"}
    view = sources["libsourcemap.view"].read_text("utf-8")
    for added in (
        "from .resolver import Resolver\n",
        "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .resolver import Resolver\n",
    ):
        graph = _python_graph()
        graph["libsourcemap.view"] = _module_level_imports(
            "libsourcemap.view", False, view + added, modules
        )
        assert "libsourcemap.view (library) imports libsourcemap.resolver (engine)" in (
            _layer_violations(graph)
        )
        assert _cycle(graph) is not None
    # An import inside a function (how the view reaches its resolver) is no edge.
    lazy = view + "def f():\n    from .resolver import Resolver\n"
    assert "libsourcemap.resolver" not in _module_level_imports(
        "libsourcemap.view", False, lazy, modules
    )


def test_import_libsourcemap_loads_the_library_alone() -> None:
    runtime = _python_graph(typing_too=False)[FACADE]
    assert runtime and {_layer(m) for m in runtime} == {"library"}, runtime


def test_dropins_use_the_public_api_and_one_internal_door() -> None:
    """The drop-ins (libsourcemap.compat) import public names of ``libsourcemap``, each
    other, and ``libsourcemap.compat._internal``: the one module that names what they use
    beyond the public API (docs/design.md)."""
    import libsourcemap

    public = set(libsourcemap.__all__)
    for name, path in _python_sources().items():
        if not name.startswith("libsourcemap.compat") or name == "libsourcemap.compat._internal":
            continue
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = _imported_from(package, node)
            if not base.startswith("libsourcemap"):
                continue  # the standard library
            if base == FACADE:
                private = {a.name for a in node.names} - public
                assert not private, f"{name} imports {private} from libsourcemap: not public"
            else:
                assert base.startswith("libsourcemap.compat"), f"{name} imports {base}"


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


#: The layers of the Rust crate, by top-level module; every other module is the library.
RUST_LAYERS = {
    "writer": "writers",
    "remap": "writers",
    "inject": "writers",
    "engine": "engine",
    "cabi": "the C ABI",
}
RUST_MAY_USE = {
    "library": {"library"},
    "writers": {"library", "writers"},
    "engine": {"library", "engine"},
    "the C ABI": {"library", "writers", "engine", "the C ABI"},
}


def _rust_layer(module: str) -> str:
    return RUST_LAYERS.get(module.split("::")[0], "library")


def test_rust_crate_has_no_module_cycle() -> None:
    graph = _rust_graph()
    assert {"view", "load", "engine::resolver", "cabi::view"} <= set(graph)
    assert "view" in graph["engine::resolver"]
    assert _cycle(graph) is None


def test_rust_layers_use_only_downwards() -> None:
    """The library uses neither the writers, the engine nor the C ABI; the writers and the
    engine use the library, never each other; only the C ABI uses them all."""
    wrong = [
        f"{module} ({_rust_layer(module)}) uses {target} ({_rust_layer(target)})"
        for module, used in sorted(_rust_graph().items())
        if module != "lib"
        for target in sorted(used)
        if _rust_layer(target) not in RUST_MAY_USE[_rust_layer(module)]
    ]
    assert wrong == []


def _design_tree() -> dict[str, str | None]:
    """The layer tree of docs/design.md: every path it lists (``rust/src/view.rs``,
    ``libsourcemap/writing/``) and the layer heading it is listed under (``None`` before
    the first heading of its root). A line lists one path or several (``a.rs, b.rs``),
    then its description after two spaces or more; deeper lines continue a description."""
    text = (ROOT / "docs" / "design.md").read_text("utf-8")
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 2)[1]
    entries: dict[str, str | None] = {}
    parents: list[tuple[int, str]] = []
    layer: str | None = None
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent > 12:
            continue
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        if names.startswith("("):
            layer = names.strip("()")
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        if not parents:
            layer = None
        for name in names.split(", "):
            path = (parents[-1][1] if parents else "") + name
            entries[path] = layer
            if name.endswith("/"):
                parents.append((indent, path))
    return entries


def _source_children(directory: Path) -> set[str]:
    """A directory's modules and the subdirectories that hold modules (as ``name/``)."""
    children = set()
    for child in directory.iterdir():
        if child.is_dir():
            if child.name != "__pycache__" and any(child.rglob("*.py")) or any(child.rglob("*.rs")):
                children.add(child.name + "/")
        elif child.suffix in (".rs", ".py") and child.name != "_lowlevel.py":
            children.add(child.name)
    return children


def test_design_layer_tree_matches_the_code() -> None:
    tree = _design_tree()
    assert {"rust/src/view.rs", "rust/src/cabi/writer.rs", "libsourcemap/writing/"} <= set(tree)
    missing = [path for path in tree if not (ROOT / path).exists()]
    assert missing == [], f"docs/design.md lists what does not exist: {missing}"
    for directory in {path for path in tree if path.endswith("/")}:
        listed = {p[len(directory) :] for p in tree if p.startswith(directory) and p != directory}
        listed = {p for p in listed if p.count("/") == 0 or (p.count("/") == 1 and p.endswith("/"))}
        if listed:
            actual = _source_children(ROOT / directory)
            assert listed == actual, f"docs/design.md's {directory}: {listed ^ actual} differ"
    for path, layer in tree.items():
        if layer is None:
            continue
        if path.startswith("rust/src/"):
            module = path[len("rust/src/") :].rstrip("/").removesuffix(".rs").replace("/", "::")
            assert _rust_layer(module) == layer, f"{path} is listed as {layer}"
        elif path.startswith("libsourcemap/"):
            module = path.rstrip("/").removesuffix(".py").replace("/", ".")
            assert _layer(module) == layer, f"{path} is listed as {layer}"


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
