"""The notebook tables (libsourcemap._html): what they show, and that nothing a map or a
trace holds gets into them as markup."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from libsourcemap import Frame, Index, StackFrame, View
from libsourcemap._html import MAX_TEXT, frames_html, index_html, view_html

FIXTURES = Path(__file__).parent / "fixtures"
PAYLOAD = "</td></table><script>window.__pwned=1</script><img src=x onerror=alert(1)>"


class Tags(HTMLParser):
    """The tags and the text of a fragment, as a browser's tokenizer reads them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def hostile_map() -> bytes:
    return json.dumps(
        {
            "version": 3,
            "file": PAYLOAD,
            "sourceRoot": "",
            "sources": [PAYLOAD + ".js", "b.js"],
            "sourcesContent": [PAYLOAD, None],
            "names": [PAYLOAD],
            "mappings": "AAAAA,CCAA",
            "debugId": "85314830-023f-4cf1-a267-535f4e37bb17",
        }
    ).encode()


def test_view_summary_sources_and_tokens() -> None:
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    view = View.from_json(data)
    html = view_html(view, rows=5)
    parsed = Tags(html)
    assert set(parsed.tags) <= {"table", "caption", "thead", "tbody", "tr", "th", "td", "p"}
    text = "|".join(parsed.text)
    assert f"{len(view):,}" in text and f"{view.name_count:,}" in text
    assert f"{view.get_source_count():,} ({view.get_source_count():,} with contents)" in text
    token = view[3]
    assert f"|{token.dst_line}:{token.dst_col}|" in text
    assert f"|{token.src_line}:{token.src_col}|" in text
    assert view.get_source_name(4) in text and view.get_source_name(5) not in text
    assert f"{len(view) - 5:,} more tokens not shown" in text
    assert html.count("<tr>") == 6 + (1 + 5) + (1 + 5)  # summary; sources; tokens


def test_hostile_names_are_text_not_markup() -> None:
    view = View.from_json(hostile_map())
    html = view_html(view)
    parsed = Tags(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "<script>" not in html and "<img" not in html
    text = "".join(parsed.text)
    # The file; the source, in the sources table and as the first token's; its name.
    assert text.count(PAYLOAD) == 4
    assert "85314830-023f-4cf1-a267-535f4e37bb17" in text
    assert "1 with contents" in text


def test_a_closed_view_and_index_say_so() -> None:
    view = View.from_json(hostile_map())
    view.close()
    assert Tags(view_html(view)).text == ["libsourcemap.View (closed)"]
    index = Index.from_json((FIXTURES / "index-concat.index.map").read_bytes())
    index.close()
    assert Tags(index_html(index)).text == ["libsourcemap.Index (closed)"]


def test_index_sections() -> None:
    index = Index.from_json((FIXTURES / "index-concat.index.map").read_bytes())
    text = "|".join(Tags(index_html(index)).text)
    sections = index.sections
    assert f"|{len(sections)}|" in text and "flattens|yes" in text
    for i, section in enumerate(sections):
        assert f"{i}|{section.line}|{section.column}|" in text
    external = json.dumps(
        {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": PAYLOAD}]}
    )
    html = index_html(Index.from_json(external))
    parsed = Tags(html)
    assert "script" not in parsed.tags and PAYLOAD in "".join(parsed.text)
    assert "no (sections reference maps by url)" in parsed.text


def test_frames_with_context_errors_and_unmapped_positions() -> None:
    view = View.from_json((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    token = view[1000]
    resolved = view.resolve_frame(token.dst_line + 1, token.dst_col + 1)
    assert resolved is not None
    failed = Frame.unresolved(StackFrame("f", "app.js", 1, 2), PAYLOAD)
    hostile = Frame(PAYLOAD, 1, 2, PAYLOAD, context_line="x" * 1000)
    html = frames_html([resolved, None, failed, hostile])
    parsed = Tags(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    rows = html.split("<tr>")[2:]
    assert len(rows) == 4
    first = "|".join(Tags(rows[0]).text)
    assert f"|{resolved.source}|{resolved.line}|{resolved.column}|" in first
    assert resolved.context_line is not None and resolved.context_line.strip()[:50] in first
    assert "not mapped" in Tags(rows[1]).text
    assert PAYLOAD in Tags(rows[2]).text
    cut = [t for t in Tags(rows[3]).text if t.startswith("x")]
    assert cut == ["x" * MAX_TEXT + "\u2026"]
