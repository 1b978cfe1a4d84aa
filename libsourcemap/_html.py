"""Views, index maps and resolved frames as HTML tables, for notebooks (``_repr_html_``).

A notebook shows an object's ``_repr_html_`` as markup, in a page that may hold anything
else the user has; source names, names, contents and frames come from maps and traces
that anyone can write. So every value is escaped with ``html.escape`` (quotes too), the
tables are plain markup without style sheets or scripts, and what is shown is bounded
(the first tokens, the first sources, a context line cut at a few hundred characters):
a 14 MB map must not turn into a 14 MB cell output.

The library level: this module imports the standard library only, and the library's own
modules inside functions (a view's methods are all it calls), never the engine.
"""

from __future__ import annotations

from html import escape

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .frames import Frame
    from .index import Index
    from .view import View

#: Tokens and sources listed by default: enough to see what a map is like.
DEFAULT_ROWS = 20
#: Characters of a context line shown (minified originals have lines of megabytes).
MAX_TEXT = 200
_TABLE = '<table class="libsourcemap">'


def _text(value: object) -> str:
    """A value as escaped text; ``None`` as a dash, long text cut with an ellipsis."""
    if value is None:
        return "&ndash;"
    text = str(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\u2026"
    return escape(text, quote=True)


def _row(cells: Sequence[object], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{_text(c)}</{tag}>" for c in cells) + "</tr>"


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    body = "".join(_row(r) for r in rows)
    return f"{_TABLE}<thead>{_row(head, header=True)}</thead><tbody>{body}</tbody></table>"


def _summary(title: str, fields: Sequence[tuple[str, object]]) -> str:
    rows = "".join(f"<tr><th>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in fields)
    return f"{_TABLE}<caption>{_text(title)}</caption><tbody>{rows}</tbody></table>"


def _more(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return f"<p>{_text(f'{total - shown:,} more {what} not shown')}</p>"


def view_html(view: View, rows: int = DEFAULT_ROWS) -> str:
    """A view as HTML: a summary (file, token, source and name counts, debug id), its
    first ``rows`` sources (with whether each has ``sourcesContent``) and its first
    ``rows`` tokens (0-based positions, as the API gives them)."""
    if view.closed:
        return f"<p>{_text('libsourcemap.View (closed)')}</p>"
    tokens = len(view)
    sources = view.get_source_count()
    with_contents = sum(1 for i in range(sources) if view.has_source_contents(i))
    summary = _summary(
        "libsourcemap.View",
        [
            ("file", view.file),
            ("tokens", f"{tokens:,}"),
            ("sources", f"{sources:,} ({with_contents:,} with contents)"),
            ("names", f"{view.name_count:,}"),
            ("debug id", view.debug_id),
            ("source root", view.source_root),
        ],
    )
    shown_sources = min(rows, sources)
    source_table = _table(
        ["id", "source", "contents"],
        (
            [i, view.get_source_name(i), "yes" if view.has_source_contents(i) else "no"]
            for i in range(shown_sources)
        ),
    )
    shown_tokens = min(rows, tokens)
    token_rows = []
    for i in range(shown_tokens):
        t = view[i]
        original = None if t.src_line is None else f"{t.src_line}:{t.src_col}"
        token_rows.append([i, f"{t.dst_line}:{t.dst_col}", t.src, original, t.name])
    token_table = _table(
        ["#", "generated (0-based)", "source", "original (0-based)", "name"], token_rows
    )
    return (
        summary
        + source_table
        + _more(shown_sources, sources, "sources")
        + token_table
        + _more(shown_tokens, tokens, "tokens")
    )


def index_html(index: Index) -> str:
    """An index map as HTML: whether it flattens into a view, and its sections (0-based
    offsets, and the ``url`` of those that reference a map instead of embedding one)."""
    if index.closed:
        return f"<p>{_text('libsourcemap.Index (closed)')}</p>"
    sections = index.sections
    summary = _summary(
        "libsourcemap.Index",
        [
            ("sections", f"{len(sections):,}"),
            ("flattens", "yes" if index.can_flatten else "no (sections reference maps by url)"),
        ],
    )
    table = _table(
        ["#", "line", "column", "url"],
        ([i, s.line, s.column, s.url] for i, s in enumerate(sections)),
    )
    return summary + table


def frames_html(frames: Iterable[Frame | None]) -> str:
    """Resolved frames (from ``resolve_frames`` or a ``Symbolicator``) as HTML: function,
    source, 1-based line and column, the context line, and the error of a frame that was
    not resolved; ``None`` (a position that does not map) as such a row."""
    rows = []
    for i, frame in enumerate(frames):
        if frame is None:
            rows.append([i, None, None, None, None, None, "not mapped"])
            continue
        context = frame.context_line.strip() if frame.context_line is not None else None
        rows.append(
            [
                i,
                frame.function,
                frame.source,
                frame.line,
                frame.column,
                context,
                frame.error or frame.context_error,
            ]
        )
    return _table(["#", "function", "source", "line", "column", "context", "error"], rows)
