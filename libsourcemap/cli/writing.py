"""The commands that write maps: ``remap``, ``concat``, ``inject`` and ``rewrite``.

Every output is written aside and renamed into place, so a failed or killed run leaves
the old file (or none), never half of one. Maps are found next to the files they belong
to: by the file's ``sourceMappingURL`` comment when it names a local file, else as
``<file>.map``.
"""

from __future__ import annotations

import argparse
import os
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .. import SourceMapError, View
from .._files import replacing
from .._uri import resolve
from ..discovery import discover
from ..errors import InvalidArgument
from ..writing import KEEP, concat, inject_debug_id, remap, rewrite
from .common import EXIT_BAD_INPUT, EXIT_NO_INPUT, EXIT_OK, UserError, cannot_write, read_bytes

# A trailing `//# sourceMappingURL=` line (and the legacy `//@`), dropped from the parts
# of a concatenation: the result gets one of its own.
_URL_COMMENT = re.compile(rb"(?:\r\n|[\n\r])?//[#@] sourceMappingURL=[^\n\r]*[\n\r]*\Z")
_JS_EXTENSIONS = (".js", ".mjs", ".cjs")


def add_commands(commands: Any) -> None:
    remap_ = commands.add_parser(
        "remap",
        help="compose a build's maps into one (as @jridgewell/remapping)",
        description="Traces MAP (the last step's map) through the maps of the files it "
        "lists, found next to them (<file>.map, or the file's sourceMappingURL), through "
        "any number of steps, and writes the composed map.",
    )
    remap_.add_argument("map", help="the last step's source map")
    remap_.add_argument("-o", "--output", required=True, metavar="FILE")
    remap_.add_argument("--no-sources-content", action="store_true", help="leave it out")
    remap_.set_defaults(run=_remap)

    concat_ = commands.add_parser(
        "concat",
        help="concatenate JS files and their maps into one file and one map",
        description="Joins the files with newlines (their sourceMappingURL comments "
        "dropped) and writes one map for the result: files with a map keep it, files "
        "without one map to themselves line by line.",
    )
    concat_.add_argument("files", nargs="+", metavar="FILE")
    concat_.add_argument("-o", "--output", required=True, metavar="OUT.js")
    concat_.add_argument("--map", metavar="OUT.js.map", help="the map's path (OUT.js.map)")
    concat_.add_argument("--index-map", action="store_true", help="write sections, not flat")
    concat_.set_defaults(run=_concat)

    inject = commands.add_parser(
        "inject",
        help="add debug IDs to JS files and their maps (as sentry-cli sourcemaps inject)",
        description="Rewrites each JS file (.js, .mjs, .cjs; directories are searched) "
        "and its map in place with a debug ID, byte for byte as `sentry-cli sourcemaps "
        "inject` does. Files that have one are left alone.",
    )
    inject.add_argument("paths", nargs="+", metavar="PATH")
    inject.add_argument("--dry-run", action="store_true", help="report, write nothing")
    inject.set_defaults(run=_inject)

    rewrite_ = commands.add_parser(
        "rewrite",
        help="rewrite a map: sourcesContent, sourceRoot, names, ignoreList",
        description="Writes MAP again with the changes asked for; -o may be MAP itself.",
    )
    rewrite_.add_argument("map")
    rewrite_.add_argument("-o", "--output", required=True, metavar="FILE")
    contents = rewrite_.add_mutually_exclusive_group()
    contents.add_argument("--strip-sources-content", action="store_true")
    contents.add_argument(
        "--inline-sources",
        action="store_true",
        help="read the sources that have no contents from disk (relative to the map)",
    )
    root = rewrite_.add_mutually_exclusive_group()
    root.add_argument("--source-root", metavar="ROOT", help="set sourceRoot")
    root.add_argument("--drop-source-root", action="store_true")
    rewrite_.add_argument("--drop-names", action="store_true")
    rewrite_.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="GLOB",
        help="add sources matching GLOB to ignoreList (repeatable)",
    )
    rewrite_.set_defaults(run=_rewrite)


# -- remap --------------------------------------------------------------------------------


def _remap(args: argparse.Namespace) -> int:
    base = Path(args.map).parent
    loaded: list[str] = []

    def loader(name: str) -> bytes | None:
        path = _map_of(base, name)
        if path is None:
            return None
        loaded.append(name)
        return read_bytes(str(path))

    try:
        view = remap(_read_map(args.map), loader)
    except (SourceMapError, InvalidArgument) as exc:
        notes = " ".join(getattr(exc, "__notes__", []))
        message = f"{args.map}: cannot remap: {exc} {notes}".rstrip()
        raise UserError(message, EXIT_BAD_INPUT) from None
    view = _rebased(view, base, Path(args.output).parent)
    data = view.to_json(with_source_contents=not args.no_sources_content)
    _write(args.output, data)
    print(
        f"wrote {args.output} ({view.get_source_count()} sources, {len(view):,} segments, "
        f"through {len(loaded)} maps)"
    )
    return EXIT_OK


def _map_of(base: Path, name: str) -> Path | None:
    """The local map of the file ``name`` (relative to ``base``), if there is one."""
    if "://" in name or name.startswith("data:") or not name:
        return None
    file = base / name
    return _map_beside(file, discover(file.read_bytes()) if file.is_file() else None)


def _map_beside(file: Path, url: str | None) -> Path | None:
    """The local map of ``file``, whose ``sourceMappingURL`` is ``url``: the file that
    names, if it is local and there, else ``<file>.map`` if there is one."""
    if url is not None and "://" not in url and not url.startswith("data:"):
        linked = file.parent / url
        if linked.is_file():
            return linked
    sibling = file.with_name(file.name + ".map")
    return sibling if sibling.is_file() else None


# -- concat -------------------------------------------------------------------------------


def _concat(args: argparse.Namespace) -> int:
    map_path = args.map or args.output + ".map"
    parts: list[tuple[bytes, View | None, str]] = []
    out_dir = Path(args.output).parent
    for file in args.files:
        text = read_bytes(file)
        code = _URL_COMMENT.sub(b"", text)
        found = _map_beside(Path(file), discover(text))
        if found is None:
            name = Path(os.path.relpath(file, out_dir)).as_posix()
            parts.append((code, None, name))
            continue
        parts.append((code, _rebased(_read_map(str(found)), found.parent, out_dir), file))
    try:
        code, result = concat(parts, index_map=args.index_map)
    except SourceMapError as exc:
        raise UserError(f"cannot concatenate: {exc}", EXIT_BAD_INPUT) from None
    url = Path(map_path).name if Path(map_path).parent == Path(args.output).parent else map_path
    code += b"\n//# sourceMappingURL=" + url.encode() + b"\n"
    data = result.to_json()
    with ExitStack() as stack:  # both files, or neither
        outputs = [(_replacing(stack, map_path), data), (_replacing(stack, args.output), code)]
        for out, content in outputs:
            out.write(content)
    with_maps = sum(part[1] is not None for part in parts)
    print(f"wrote {args.output} and {map_path} ({len(parts)} files, {with_maps} with maps)")
    return EXIT_OK


# -- inject -------------------------------------------------------------------------------


def _inject(args: argparse.Namespace) -> int:
    files = []
    for path in map(Path, args.paths):
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix in _JS_EXTENSIONS and p.is_file()
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or directory", EXIT_NO_INPUT)
    for file in files:
        code = read_bytes(str(file))
        url = discover(code)
        if url is not None and url.startswith("data:"):
            raise UserError(f"{file}: embedded (data: URL) maps are not supported", EXIT_BAD_INPUT)
        map_path = _map_beside(file, url)
        source_map = read_bytes(str(map_path)) if map_path is not None else None
        try:
            new_code, new_map, debug_id = inject_debug_id(code, source_map)
        except (SourceMapError, InvalidArgument) as exc:
            raise UserError(f"{file}: cannot inject: {exc}", EXIT_BAD_INPUT) from None
        if new_code == code:
            print(f"{debug_id} - {file} (already has a debug id)")
            continue
        if not args.dry_run:
            with ExitStack() as stack:
                writes = [(_replacing(stack, str(file)), new_code)]
                if map_path is not None and new_map is not None:
                    writes.append((_replacing(stack, str(map_path)), new_map))
                for out, content in writes:
                    out.write(content)
        print(f"{debug_id} - {file}" + (f" + {map_path}" if map_path is not None else ""))
    return EXIT_OK


# -- rewrite ------------------------------------------------------------------------------


def _rewrite(args: argparse.Namespace) -> int:
    base = Path(args.map).parent

    def load_source(name: str) -> bytes | None:
        path = base / name
        if "://" in name or not path.is_file():
            return None
        return path.read_bytes()

    root: str | None | Any = KEEP
    if args.drop_source_root:
        root = None
    elif args.source_root is not None:
        root = args.source_root
    try:
        data = rewrite(
            _read_map(args.map),
            with_source_contents=not args.strip_sources_content,
            load_source=load_source if args.inline_sources else None,
            source_root=root,
            with_names=not args.drop_names,
            ignore_sources=args.ignore,
        )
    except (SourceMapError, InvalidArgument) as exc:
        raise UserError(f"{args.map}: cannot rewrite: {exc}", EXIT_BAD_INPUT) from None
    _write(args.output, data)
    print(f"wrote {args.output} ({len(data):,} bytes)")
    return EXIT_OK


# -- shared -------------------------------------------------------------------------------


def _read_map(path: str) -> View:
    try:
        return View.from_json(read_bytes(path))
    except SourceMapError as exc:
        raise UserError(f"{path}: not a source map: {exc}", EXIT_BAD_INPUT) from None


def _rebased(view: View, map_dir: Path, out_dir: Path) -> View:
    """``view`` with its sources named as seen from ``out_dir``: a map's relative sources
    are relative to where the map is, and the output map lives elsewhere."""
    relative = Path(os.path.relpath(map_dir, out_dir)).as_posix()
    if relative == ".":
        return view
    root = view.source_root
    prefix = root + "/" if root else ""
    names = [
        None if raw is None else resolve(prefix + raw, relative + "/")
        for raw in (view.get_raw_source_name(i) for i in range(view.get_source_count()))
    ]
    return View.from_json(rewrite(view, source_root=None, sources=names))


def _replacing(stack: ExitStack, path: str) -> Any:
    try:
        return stack.enter_context(replacing(path, prefix=".libsourcemap-"))
    except OSError as exc:
        raise cannot_write(path, exc) from None


def _write(path: str, data: bytes) -> None:
    with ExitStack() as stack:
        _replacing(stack, path).write(data)
