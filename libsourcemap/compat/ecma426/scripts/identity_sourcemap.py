"""``identity-sourcemap FILE``, as ecma426 0.2.0's command: writes ``FILE.map`` (the
suffix appended), a map of FILE onto itself, one segment per line (line ``i``, column 0
to line ``i``, column 0 of FILE's name), with FILE's text as the source's contents. Bugsink's
tests make the map a ``sentry-cli sourcemaps upload`` test uploads with it.

As ecma426's: FILE is read as UTF-8 text with universal newlines (``\\r\\n`` and ``\\r`` are
read as ``\\n``, in the lines and in ``sourcesContent``); the JSON is compact, ASCII-only;
the map path is printed (``Wrote FILE.map``). A wrong argument count prints the usage, a
missing FILE ``File not found: FILE`` (both on stdout, exit status 1); other errors (a
directory, text that is not UTF-8) are tracebacks with exit status 1.

Run it as ``python -m libsourcemap.compat.ecma426.scripts.identity_sourcemap FILE``;
:func:`main` is the console-script entry point.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..codec import encode
from ..model import Mapping

__all__ = ["build_identity_line_tokens", "main"]


def build_identity_line_tokens(js_text: str, js_path: str) -> list[Mapping]:
    """A segment at column 0 of each line of ``js_text`` (lines end at ``\\n``: a text that
    ends with one has an empty last line, which gets its segment too), mapped to the same
    line and column of source ``js_path``."""
    lines = js_text.count("\n") + 1
    return [Mapping(line, 0, js_path, line, 0, None) for line in range(lines)]


def main() -> None:
    if len(sys.argv) != 2:
        print("Usage: identity-sourcemap <file.js>")
        sys.exit(1)
    path = Path(sys.argv[1])
    if not path.exists():
        print(f"File not found: {path}")
        sys.exit(1)
    text = path.read_text(encoding="utf-8")  # text mode: universal newlines
    doc = encode(build_identity_line_tokens(text, path.name))
    doc["file"] = path.name
    doc["sourcesContent"] = [text]
    out = path.with_suffix(path.suffix + ".map")
    out.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
