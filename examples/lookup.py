"""Map minified positions back to original source with libsourcemap.

    python examples/lookup.py                      # the bundled terser + underscore example
    python examples/lookup.py MAP LINE:COL ...     # your own map, 0-based positions

For each position it prints the original file, line and column (1-based, as editors
show them), the original name if the map records one, and the original source line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import libsourcemap

HERE = Path(__file__).parent
DEFAULT_MAP = HERE.parent / "tests" / "fixtures" / "terser-underscore.min.js.map"
# Positions inside the minified underscore build (tests/fixtures/terser-underscore.min.js).
DEFAULT_POSITIONS = ["0:200", "0:1500", "0:4000", "0:9000"]


def main(argv: list[str]) -> int:
    map_path = Path(argv[0]) if argv else DEFAULT_MAP
    positions = argv[1:] if argv else DEFAULT_POSITIONS
    view = libsourcemap.from_json(map_path.read_bytes())
    assert isinstance(view, libsourcemap.View)
    print(f"{map_path.name}: {len(view)} tokens, {view.get_source_count()} sources")
    for position in positions:
        line, col = (int(part) for part in position.split(":"))
        token = view.lookup_token(line, col)
        if token is None:
            print(f"  {line}:{col} -> (unmapped)")
            continue
        where = f"{token.src}:{token.src_line + 1}:{token.src_col + 1}"
        name = f" ({token.name})" if token.name else ""
        print(f"  {line}:{col} -> {where}{name}")
        contents = view.get_source_contents(token.src_id) if token.src_id is not None else None
        if contents is not None:
            source_line = contents.decode("utf-8", "replace").split("\n")[token.src_line]
            print(f"      {source_line.strip()[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
