"""The ``libsourcemap`` command (also ``python -m libsourcemap``).

Exit codes: 0 success; 1 a check failed (``validate`` found a violation, ``lookup``'s
position is not mapped); 2 usage error; 3 an input file is missing or unreadable; 4 an
input is not what the command needs (not a source map, memdb or bundle); 70 an internal
error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import sysconfig
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

from .. import Frame, Index, SourceMapError, StackFrame, View, __version__, from_json
from .._files import replacing
from ..bundle import BadBundle, SourceBundle
from ..bundle.writer import create_bundle
from ..events import EventConfig, not_json, symbolicate_file, symbolicate_lines
from ..symbolication.stacktrace import parse_frame
from ..symbolication.symbolicator import Symbolicator
from ..visualize import write_page
from . import writing
from .common import (
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_IO,
    EXIT_NO_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    MEMDB_MAGIC,
    UserError,
    cannot_read,
    cannot_write,
    error,
    load_view,
    parse_map,
    print_json,
    read_bytes,
    read_text,
)
from .progress import Progress

# Context lines longer than this are cut in the text output (minified originals exist).
_MAX_CONTEXT_WIDTH = 160


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UserError as exc:
        error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK  # `libsourcemap ... | head`: the reader had enough
    except OSError as exc:
        # Not a bug: what the system refused (no space left, a read-only file system, no
        # permission, too many open files), with the path (input errors are caught as
        # UserError before this).
        error(f"I/O error: {exc}")
        return EXIT_IO
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into a line
        error(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="libsourcemap",
        description="Map minified JavaScript positions and stack traces to original source.",
    )
    parser.add_argument("--version", action="version", version=f"libsourcemap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sym = commands.add_parser("symbolicate", help="resolve a JS stack trace to original source")
    sym.add_argument("stacktrace", nargs="?", default="-", help="stack trace file, or - (stdin)")
    sym.add_argument("--root", help="directory holding the minified files and maps")
    sym.add_argument("--bundle", action="append", help=_BUNDLE_HELP)
    sym.add_argument("--json", action="store_true", help='print {"frames": [...]} as JSON')
    sym.add_argument("--context", type=_count, default=3, help="context lines (default 3)")
    sym.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="memdb caches of the maps under --root: written on first use, opened after "
        "(safe to share between processes)",
    )
    _progress_flags(sym)
    sym.set_defaults(run=_symbolicate)

    events = commands.add_parser(
        "symbolicate-events",
        help="symbolicate error events (JSON Lines, Sentry's event shape)",
        description="Reads one event per line (exception.values[].stacktrace.frames[], "
        "or a stack trace text under 'stacktrace') and writes each back with its frames "
        "symbolicated, in input order. A line that is not an event becomes an error "
        "record for that line; the run goes on.",
    )
    events.add_argument("events", help="events file (JSON Lines), or - (stdin)")
    events.add_argument("--root", help="directory holding the minified files and maps")
    events.add_argument("--bundle", action="append", help=_BUNDLE_HELP)
    events.add_argument("--context", type=_count, default=5, help="context lines (default 5)")
    events.add_argument(
        "--cache-dir", metavar="DIR", help="memdb caches of the maps, shared by the workers"
    )
    events.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N", help="worker processes (default 1)"
    )
    events.add_argument("-o", "--output", default="-", metavar="OUT", help="output (default -)")
    _progress_flags(events)
    events.set_defaults(run=_symbolicate_events)

    explain = commands.add_parser(
        "explain",
        help="why frames resolve as they do, step by step, with what to fix",
        description="Explains, frame by frame, each step of a symbolication: where the "
        "minified file and its map were looked for and found, the map's validity, the "
        "debug IDs, the segment at the position, the original source and the function "
        "name; every step that fails says what to do. INPUT is a stack trace file, an "
        "event (a JSON object, or the first line of a JSON Lines file), - (stdin), or one "
        "frame as FILE:LINE:COL (1-based).",
    )
    explain.add_argument("input", help="stack trace, event, - (stdin), or FILE:LINE:COL")
    explain.add_argument("--root", help="directory holding the minified files and maps")
    explain.add_argument("--bundle", action="append", help=_BUNDLE_HELP)
    explain.add_argument("--json", action="store_true", help="print the steps as JSON")
    explain.set_defaults(run=_explain)

    dropins = commands.add_parser(
        "dropins",
        help="make `import ecma426` / symbolic's source map API give the drop-ins",
        description="For an application that cannot change its imports: `enable` writes a "
        "start-up file (.pth) into this environment's site-packages that puts the drop-ins "
        "of the named packages (ecma426, symbolic, sourcemap) where those packages are "
        "imported, in every interpreter of the environment; `disable` removes it.",
    )
    dropins.add_argument("action", choices=["enable", "disable", "status"])
    dropins.add_argument("packages", nargs="*", help="ecma426, symbolic, sourcemap")
    dropins.add_argument("--site-packages", metavar="DIR", help="default: this environment's")
    dropins.set_defaults(run=_dropins)

    lookup = commands.add_parser("lookup", help="map one 1-based LINE COL through a map")
    lookup.add_argument("map", help="source map (JSON) or memdb cache")
    lookup.add_argument("line", type=_position, help="1-based generated line")
    lookup.add_argument("column", type=_position, help="1-based generated column")
    lookup.add_argument("--json", action="store_true")
    lookup.set_defaults(run=_lookup)

    info = commands.add_parser("info", help="sizes, counts, sources and validation of a map")
    info.add_argument("map", help="source map (JSON) or memdb cache")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_info)

    validate = commands.add_parser("validate", help="check maps against ECMA-426 (exit 1 if not)")
    validate.add_argument("maps", nargs="+", metavar="MAP")
    _progress_flags(validate)
    validate.set_defaults(run=_validate)

    cache = commands.add_parser("cache", help="write a memdb cache of a map")
    cache.add_argument("map")
    cache.add_argument("--minified-source", metavar="JS", help="store its function names too")
    cache.add_argument("-o", "--output", required=True, metavar="FILE")
    cache.set_defaults(run=_cache)

    visualize = commands.add_parser(
        "visualize",
        help="write an HTML page that shows a map: the generated code beside the sources",
        description="Writes one self-contained HTML page (no network; it opens from "
        "file://): the generated code beside the original sources, each mapping's span "
        "coloured, unmapped and invalid mappings marked. A map that cannot be read gives "
        "a page that shows why (and exit code 4).",
    )
    visualize.add_argument("map", help="source map (JSON), memdb cache, or JS with an inline map")
    visualize.add_argument("--minified", metavar="FILE", help="the generated file the map maps")
    visualize.add_argument("--title", help="the page's title (default: the map's file)")
    visualize.add_argument("-o", "--output", required=True, metavar="HTML")
    visualize.set_defaults(run=_visualize)

    bundle = commands.add_parser("bundle", help="source bundles")
    bundle_commands = bundle.add_subparsers(dest="bundle_command", required=True)
    create = bundle_commands.add_parser("create", help="zip a build directory into a bundle")
    create.add_argument("directory")
    create.add_argument("-o", "--output", required=True, metavar="ZIP")
    create.add_argument("--url-prefix", default="~/", help="URL prefix of every file ('~/')")
    _progress_flags(create)
    create.set_defaults(run=_bundle_create)
    writing.add_commands(commands)
    return parser


def _progress_flags(parser: argparse.ArgumentParser) -> None:
    # Not BooleanOptionalAction: that needs Python 3.9.
    parser.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _position(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 2**32:
        raise argparse.ArgumentTypeError("must be between 1 and 2^32 (1-based)")
    return value


# -- symbolicate ------------------------------------------------------------------------


def _symbolicate(args: argparse.Namespace) -> int:
    text = read_text(args.stacktrace)
    if args.root is not None and not Path(args.root).is_dir():
        raise UserError(f"{args.root}: no such directory", EXIT_NO_INPUT)
    bundles: list[SourceBundle] = []
    progress = Progress("symbolicating", enabled=args.progress)
    try:
        bundles.extend(_open_bundle(path) for path in args.bundle or [])
        with Symbolicator(
            root=args.root, bundle=bundles, context_lines=args.context, cache_dir=args.cache_dir
        ) as sym:
            frames = sym.symbolicate(text, progress=progress)
    finally:
        progress.finish()
        for bundle in bundles:
            bundle.close()
    if args.json:
        print_json({"frames": [shown.to_dict() for frame in frames for shown in frame.expanded()]})
    else:
        _print_stacktrace(text, iter(frames))
    return EXIT_OK


_ONE_FRAME = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+)$")


def _explain(args: argparse.Namespace) -> int:
    if args.root is not None and not Path(args.root).is_dir():
        raise UserError(f"{args.root}: no such directory", EXIT_NO_INPUT)
    given: Any
    one = _ONE_FRAME.match(args.input)
    if args.input != "-" and not Path(args.input).exists() and one is not None:
        given = StackFrame(None, one["file"], int(one["line"]), int(one["column"]))
    else:
        text = read_text(args.input)
        first = text.lstrip().split("\n", 1)[0]
        given = text
        if first.startswith("{"):
            try:
                given = json.loads(first)
            except ValueError as exc:
                raise UserError(
                    f"{args.input}: not an event: {not_json(exc)}", EXIT_BAD_INPUT
                ) from None
    bundles: list[SourceBundle] = []
    try:
        bundles.extend(_open_bundle(path) for path in args.bundle or [])
        with Symbolicator(root=args.root, bundle=bundles) as sym:
            explained = sym.explain(given)
    finally:
        for bundle in bundles:
            bundle.close()
    if args.json:
        print_json({"frames": [e.to_dict() for e in explained]})
    else:
        sys.stdout.write("\n\n".join(e.text() for e in explained) + "\n")
    return EXIT_OK if all(e.result.error is None for e in explained) else EXIT_CHECK_FAILED


def _symbolicate_events(args: argparse.Namespace) -> int:
    if args.root is not None and not Path(args.root).is_dir():
        raise UserError(f"{args.root}: no such directory", EXIT_NO_INPUT)
    for path in args.bundle or []:
        _open_bundle(path).close()  # a missing or broken bundle: said once, here
    config = EventConfig.of(args.root, args.bundle, args.cache_dir, args.context)
    progress = Progress("symbolicating events", enabled=args.progress)
    # A file is handed to the workers by byte ranges; stdin or a pipe is read as a stream.
    from_file = args.events != "-" and Path(args.events).is_file()
    stream = None if from_file else _input_stream(args.events)

    def run(out: BinaryIO) -> None:
        if stream is None:
            total = _count_lines(args.events) if progress.enabled else 0  # for the bar
            symbolicate_file(args.events, out, config, args.jobs, lambda n: progress(n, total))
            return
        lines = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
        for line in symbolicate_lines(lines, config, args.jobs, lambda n: progress(n, 0)):
            out.write((line + "\n").encode())

    try:
        if args.output == "-":
            run(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            # The output appears whole when the run is done, or not at all.
            with ExitStack() as stack:
                try:
                    out = stack.enter_context(replacing(args.output, prefix=".symbolicated-"))
                except OSError as exc:
                    raise cannot_write(args.output, exc) from None
                run(out)
    finally:
        progress.finish()
    return EXIT_OK


def _input_stream(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None


def _count_lines(path: str) -> int:
    """Lines in a file (for the progress bar), counted without decoding it."""
    count = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def _print_stacktrace(text: str, frames: Any) -> None:
    """The input with each frame line replaced by its resolution; other lines as given."""
    out = sys.stdout
    for line in text.splitlines():
        if parse_frame(line) is None:
            out.write(line + "\n")
            continue
        frame: Frame = next(frames)
        if frame.error is not None:
            out.write(f"{line.rstrip()}    [unresolved: {frame.error}]\n")
            continue
        if not frame.symbolicated:  # a file without a source map: as printed, its lines
            out.write(f"{line.rstrip()}    [no source map: not minified]\n")
            if frame.context_line is not None and frame.line is not None:
                _print_context(
                    frame.line, frame.pre_context, frame.context_line, frame.post_context
                )
            continue
        if frame.hidden:
            out.write(
                f"{line.rstrip()}    [hidden: outlined code the original program did not call]\n"
            )
            continue
        # A frame in inlined code is followed by the callers the original program had.
        printed = frame.minified.function if frame.minified is not None else None
        for shown in frame.expanded():
            where = f"{shown.source}:{shown.line}:{shown.column}"
            function = shown.function
            if function and shown is frame and (printed or "").startswith("new "):
                function = "new " + function  # as V8 prints constructor calls
            inlined = "    [inlined]" if shown is not frame else ""
            out.write(
                f"    at {function} ({where}){inlined}\n"
                if function
                else f"    at {where}{inlined}\n"
            )
            if shown.context_line is not None and shown.line is not None:
                _print_context(
                    shown.line, shown.pre_context, shown.context_line, shown.post_context
                )


def _print_context(line: int, pre: Sequence[str], current: str, post: Sequence[str]) -> None:
    first = line - len(pre)
    width = len(str(line + len(post)))
    for number, text in enumerate([*pre, current, *post], first):
        if len(text) > _MAX_CONTEXT_WIDTH:
            text = text[: _MAX_CONTEXT_WIDTH - 3] + "..."
        marker = ">" if number == line else " "
        sys.stdout.write(f"      {marker} {number:>{width}} | {text}".rstrip() + "\n")


_BUNDLE_HELP = (
    "source bundle (zip with manifest.json) to read from; repeat for several, newest "
    "first: where two hold the same file, the first given wins"
)


def _open_bundle(path: str) -> SourceBundle:
    try:
        return SourceBundle.open(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file", EXIT_NO_INPUT) from None
    except BadBundle as exc:
        raise UserError(str(exc), EXIT_BAD_INPUT) from None


# -- lookup, info, validate, cache --------------------------------------------------------


def _lookup(args: argparse.Namespace) -> int:
    view = load_view(args.map)
    token = view.lookup_token(args.line - 1, args.column - 1)
    if token is None or token.src_line is None or token.src_col is None:
        if args.json:
            print_json(None)
        else:
            print(f"{args.line}:{args.column} is not mapped")
        return EXIT_CHECK_FAILED
    found = {
        "source": token.src,
        "line": token.src_line + 1,
        "column": token.src_col + 1,
        "name": token.name,
        "function": view.get_original_function_name(args.line - 1, args.column - 1),
    }
    if args.json:
        print_json(found)
    else:
        name = f" (name {found['name']})" if found["name"] else ""
        function = f" in {found['function']}" if found["function"] else ""
        print(f"{found['source']}:{found['line']}:{found['column']}{function}{name}")
    return EXIT_OK


def _info(args: argparse.Namespace) -> int:
    data = read_bytes(args.map)
    details: dict[str, Any] = {"path": args.map, "bytes": len(data)}
    if data.startswith(MEMDB_MAGIC):
        details["kind"] = "memdb cache"
        details.update(_view_details(load_view(args.map)))
        details["problems"] = []
    else:
        parsed = parse_map(data, args.map, flatten=False)
        if isinstance(parsed, Index):
            sections = parsed.sections
            details["kind"] = f"index map ({len(sections)} sections)"
            details["sections"] = [section._asdict() for section in sections]
            if parsed.can_flatten:
                details.update(_view_details(parsed.into_view()))
        else:
            details["kind"] = "source map"
            details.update(_view_details(parsed))
        details["problems"] = _problems(data)
    if args.json:
        print_json(details)
        return EXIT_OK
    sources = details.pop("sources", [])
    problems = details.pop("problems")
    details.pop("sections", None)
    details["ECMA-426"] = "valid" if not problems else "INVALID"
    width = max(len(key) for key in details) + 2
    for key, value in details.items():
        print(f"{key.replace('_', ' ') + ':':<{width}}{'-' if value is None else value}")
    for problem in problems:
        print(f"  problem: {problem}")
    if sources:
        print("sources:")
        for source in sources:
            print(f"  {source}")
    return EXIT_OK


def _view_details(view: View) -> dict[str, Any]:
    count = view.get_source_count()
    return {
        "file": view.file,
        "tokens": len(view),
        "source_count": count,
        "sources_with_contents": sum(view.has_source_contents(i) for i in range(count)),
        "names": view.name_count,
        "debug_id": view.debug_id,
        "function_table": view.has_function_table,
        "sources": [view.get_source_name(i) for i in range(count)],
    }


def _problems(data: bytes) -> list[str]:
    """Violations of ECMA-426; strict parsing stops at the first one."""
    try:
        from_json(data, strict=True, raise_for_index=False)
    except SourceMapError as exc:
        return [str(exc)]
    return []


def _validate(args: argparse.Namespace) -> int:
    failed = missing = 0
    progress = Progress("validating", enabled=args.progress)
    for done, path in enumerate(args.maps, 1):
        try:
            problems = _problems(read_bytes(path))
            verdict = f"{path}: INVALID: {problems[0]}" if problems else f"{path}: ok"
        except UserError as exc:
            problems, verdict = [], ""
            missing += 1
            progress.finish()
            error(str(exc))
        failed += bool(problems)
        if verdict:
            progress.finish()
            print(verdict, flush=True)
        progress(done, len(args.maps))
    progress.finish()
    if missing:
        return EXIT_NO_INPUT
    return EXIT_CHECK_FAILED if failed else EXIT_OK


def _cache(args: argparse.Namespace) -> int:
    view = load_view(args.map)
    if args.minified_source is not None:
        try:
            view.attach_minified_source(read_bytes(args.minified_source))
        except SourceMapError as exc:
            raise UserError(f"{args.minified_source}: {exc}", EXIT_BAD_INPUT) from None
    try:
        view.dump_memdb_file(args.output)
    except OSError as exc:
        raise cannot_write(args.output, exc) from None
    except SourceMapError as exc:
        raise UserError(f"{args.map}: cannot cache: {exc}", EXIT_BAD_INPUT) from None
    size = Path(args.output).stat().st_size
    table = ", with function names" if view.has_function_table else ""
    print(f"wrote {args.output} ({size:,} bytes, {len(view):,} tokens{table})")
    return EXIT_OK


def _dropins(args: argparse.Namespace) -> int:
    from ..compat import install

    if args.action == "enable":
        if not args.packages:
            raise UserError("name the packages: ecma426, symbolic, sourcemap", EXIT_USAGE)
        try:
            path = install.enable(*args.packages, site_packages=args.site_packages)
        except ValueError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        except OSError as exc:
            raise cannot_write(args.site_packages or "site-packages", exc) from None
        print(f"wrote {path}: {', '.join(args.packages)} now import as libsourcemap's drop-ins")
    elif args.action == "disable":
        removed = install.disable(args.site_packages)
        print(f"removed {removed}" if removed else "no drop-ins were enabled here")
    else:
        pth = Path(args.site_packages or sysconfig.get_paths()["purelib"]) / install.PTH_NAME
        print(pth.read_text().strip() if pth.exists() else "no drop-ins are enabled here")
    return EXIT_OK


def _visualize(args: argparse.Namespace) -> int:
    data = read_bytes(args.map)
    minified = None if args.minified is None else read_bytes(args.minified)
    name = None if args.minified is None else Path(args.minified).name
    try:
        problem = write_page(data, minified, args.output, args.title, minified_name=name)
    except OSError as exc:
        raise cannot_write(args.output, exc) from None
    if problem is not None:
        error(f"{args.map}: not a source map: {problem} (the page says so: {args.output})")
        return EXIT_BAD_INPUT
    print(f"wrote {args.output} ({Path(args.output).stat().st_size:,} bytes)")
    return EXIT_OK


def _bundle_create(args: argparse.Namespace) -> int:
    if not Path(args.directory).is_dir():
        raise UserError(f"{args.directory}: no such directory", EXIT_NO_INPUT)
    progress = Progress("bundling", enabled=args.progress)
    try:
        entries = create_bundle(args.directory, args.output, args.url_prefix, progress)
    except OSError as exc:
        raise cannot_write(args.output, exc) from None
    finally:
        progress.finish()
    kinds: dict[str, int] = {}
    for entry in entries:
        kinds[entry.type] = kinds.get(entry.type, 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"wrote {args.output}: {len(entries)} files ({summary or 'empty'})")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover - `python -m libsourcemap` uses __main__
    sys.exit(main())
