"""The visualizer's page (libsourcemap.visualize), opened in a real browser: headless
Chromium driven by selenium through chromedriver (Debian's ``chromium`` and
``chromium-driver``). Without them these tests fail, they do not skip: CI installs them.

What a reader does is what the tests do: go to a position, click or hover a span, and read
the token panel, which must say what ``View.lookup_token`` says. Pages built from hostile
maps must run none of their text, and maps that cannot be read must give a page that says
why. The 14 MB map's page is timed from navigation start to the page's "ready" mark.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from libsourcemap import SourceMapError, View, discover, from_data_url
from libsourcemap.visualize import render_page, write_page

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
INLINE = FIXTURES / "sentry" / "root" / "static" / "js" / "esbuild" / "app.min.js"
BENCH_INPUTS = ROOT / "bench" / "inputs"
BENCH_DATA = ROOT / "bench" / "data"
PAGE = ROOT / "libsourcemap" / "visualize"

# -- the browser --------------------------------------------------------------------------


def _program(env: str, *names: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env] if os.path.isfile(os.environ[env]) else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (starting one takes a second or two)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: pip install -e '.[test]' (it is a test extra)")
    chromium = _program("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver = _program("CHROMEDRIVER", "chromedriver")
    if chromium is None or driver is None:
        pytest.fail(
            "the visualizer's tests need Chromium and chromedriver: "
            "apt-get install chromium chromium-driver (or set CHROMIUM and CHROMEDRIVER)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--window-size=1400,900", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--disable-dev-shm-usage")  # containers have a small /dev/shm
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both paths given: selenium's manager (which would look for drivers online) never runs.
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield session
    finally:
        session.quit()


def open_page(browser: Any, path: Path, timeout: float = 60) -> float:
    """Opens a page and waits for its ready mark: milliseconds from navigation start."""
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = browser.execute_script("return window.__lsmReady || null")
        if ready is not None:
            return float(ready)
        time.sleep(0.02)
    raise AssertionError(f"{path.name} did not become ready in {timeout} s")


def console_errors(browser: Any) -> list[dict[str, Any]]:
    return [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def find(browser: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, css)


def find_all(browser: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(browser.find_elements(By.CSS_SELECTOR, css))


def text(browser: Any, css: str) -> str:
    return str(find(browser, css).get_property("textContent"))


def click(browser: Any, element: Any) -> None:
    """A real click near the span's left edge: a span can be wider than its pane."""
    from selenium.webdriver.common.action_chains import ActionChains

    width = element.rect["width"]
    ActionChains(browser).move_to_element_with_offset(
        element, int(-width / 2 + min(width / 2, 4)), 0
    ).click().perform()


def hover(browser: Any, element: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    width = element.rect["width"]
    ActionChains(browser).move_to_element_with_offset(
        element, int(-width / 2 + min(width / 2, 4)), 0
    ).perform()


def go_to(browser: Any, box: str, line: int, col: int) -> None:
    """Types a 1-based ``line:column`` into a go-to box and submits it."""
    field = find(browser, f"#{box}")
    field.clear()
    field.send_keys(f"{line + 1}:{col + 1}")
    field.submit()


def panel(browser: Any) -> dict[str, Any]:
    """The token panel; positions as the 0-based pairs it prints beside the 1-based ones."""

    def zero_based(value: str) -> tuple[int, int] | None:
        match = re.search(r"\(0-based (\d+):(\d+)\)", value)
        return None if match is None else (int(match.group(1)), int(match.group(2)))

    fields = {
        name: text(browser, f"#tok-{name}")
        for name in ("generated", "source", "original", "name", "status", "index")
    }
    return {
        **fields,
        "generated_at": zero_based(fields["generated"]),
        "original_at": zero_based(fields["original"]),
    }


def assert_panel_shows(browser: Any, token: Any) -> None:
    shown = panel(browser)
    assert shown["generated_at"] == (token.dst_line, token.dst_col), shown
    assert shown["source"] == token.src, shown
    assert shown["original_at"] == (token.src_line, token.src_col), shown
    assert shown["name"] == (token.name if token.name is not None else "-"), shown


def assert_partners_selected(browser: Any, token: Any) -> None:
    """The token's span is selected in the generated pane, its partner in the original
    pane (which shows the token's source)."""
    gen = find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
    assert "sel" in gen.get_attribute("class").split()
    assert find(browser, "#source").get_property("value") == str(token.src_id)
    orig = find(browser, f'#orig-scroller [data-pos="{token.src_line}:{token.src_col}"]')
    assert "sel" in orig.get_attribute("class").split()


def vlq(*values: int) -> str:
    """One segment's fields as base64 VLQ."""
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    out = []
    for value in values:
        rest = -value * 2 + 1 if value < 0 else value * 2
        while True:
            digit, rest = rest & 31, rest >> 5
            out.append(digits[digit | (32 if rest else 0)])
            if not rest:
                break
    return "".join(out)


def sample_tokens(view: View, count: int) -> list[Any]:
    """Mapped tokens spread over the map that are what a lookup at their position finds
    (of segments sharing a column, one answers)."""
    found = []
    step = max(1, len(view) // (count * 3))
    for idx in range(0, len(view), step):
        token = view[idx]
        if token.src is not None and view.lookup_token(token.dst_line, token.dst_col) == token:
            found.append(token)
    return found[:: max(1, len(found) // count)][:count]


# -- real maps --------------------------------------------------------------------------


def test_clicking_a_generated_span_shows_its_token_and_partner(
    browser: Any, tmp_path: Path
) -> None:
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    minified = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    page = tmp_path / "lodash.html"
    assert write_page(data, minified, page, minified_name="esbuild-lodash.min.js") is None
    open_page(browser, page)
    view = View.from_json(data)
    assert text(browser, "#gen-name") == "esbuild-lodash.min.js"
    for token in sample_tokens(view, 6):
        go_to(browser, "gen-pos", token.dst_line, token.dst_col)
        assert_panel_shows(browser, token)
        span = find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
        click(browser, span)
        assert_panel_shows(browser, token)
        assert_partners_selected(browser, token)
    assert console_errors(browser) == []


def test_hovering_highlights_the_partner(browser: Any, tmp_path: Path) -> None:
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    page = tmp_path / "lodash.html"
    write_page(data, (FIXTURES / "esbuild-lodash.min.js").read_bytes(), page)
    open_page(browser, page)
    view = View.from_json(data)
    # The first mapped span in view whose partner is in view too (the original pane shows
    # the first source).
    for span in find_all(browser, "#gen-scroller .m[data-pos]"):
        line, col = map(int, span.get_attribute("data-pos").split(":"))
        token = view.lookup_token(line, col)
        assert token is not None
        partner = f'#orig-scroller [data-pos="{token.src_line}:{token.src_col}"]'
        if token.src_id == 0 and find_all(browser, partner):
            break
    else:
        raise AssertionError("no span of the first source in view")
    hover(browser, span)
    assert "hov" in find(browser, partner).get_attribute("class").split()
    assert_panel_shows(browser, token)


def test_clicking_an_original_span_selects_every_generated_partner(
    browser: Any, tmp_path: Path
) -> None:
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    page = tmp_path / "lodash.html"
    write_page(data, (FIXTURES / "esbuild-lodash.min.js").read_bytes(), page)
    open_page(browser, page)
    view = View.from_json(data)
    token = sample_tokens(view, 3)[1]
    from selenium.webdriver.support.ui import Select

    Select(find(browser, "#source")).select_by_value(str(token.src_id))
    go_to(browser, "orig-pos", token.src_line, token.src_col)
    assert panel(browser)["original_at"] == (token.src_line, token.src_col)
    span = find(browser, f'#orig-scroller [data-pos="{token.src_line}:{token.src_col}"]')
    click(browser, span)
    shown = panel(browser)
    assert shown["original_at"] == (token.src_line, token.src_col)
    assert shown["source"] == token.src
    selected = find_all(browser, "#gen-scroller .sel")
    assert selected and shown["generated_at"] is not None
    for element in selected + [None]:
        if element is None:
            line, col = shown["generated_at"]
        else:
            line, col = map(int, element.get_attribute("data-pos").split(":"))
        partner = view.lookup_token(line, col)
        assert partner is not None
        assert (partner.src_id, partner.src_line, partner.src_col) == (
            token.src_id,
            token.src_line,
            token.src_col,
        )
    assert console_errors(browser) == []


def test_a_minified_file_with_an_inline_map(browser: Any, tmp_path: Path) -> None:
    """The Sentry fixture's esbuild bundle carries its map as a data: URL: the page reads
    it from the minified file (given alone, or as the map argument)."""
    minified = INLINE.read_bytes()
    url = discover(minified)
    assert url is not None
    view = from_data_url(url)
    assert isinstance(view, View)
    page = tmp_path / "inline.html"
    assert write_page(None, minified, page) is None
    assert render_page(minified) == page.read_text("utf-8")
    open_page(browser, page)
    assert "ECMA-426: valid" in text(browser, "#summary")
    for token in sample_tokens(view, 4):
        go_to(browser, "gen-pos", token.dst_line, token.dst_col)
        span = find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
        click(browser, span)
        assert_panel_shows(browser, token)
        assert_partners_selected(browser, token)
    assert console_errors(browser) == []


def test_without_the_minified_file_each_segment_is_a_cell(browser: Any, tmp_path: Path) -> None:
    data = (FIXTURES / "terser-underscore.min.js.map").read_bytes()
    page = tmp_path / "cells.html"
    write_page(data, None, page)
    open_page(browser, page)
    view = View.from_json(data)
    assert "was not given" in text(browser, "#gen-name")
    for token in sample_tokens(view, 4):
        go_to(browser, "gen-pos", token.dst_line, token.dst_col)
        cell = find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
        assert cell.get_property("textContent").startswith(f"{token.dst_col + 1} \u2192 ")
        click(browser, cell)
        assert_panel_shows(browser, token)
    assert console_errors(browser) == []


# -- what a page must survive ---------------------------------------------------------------

PWN = "window.__pwned=(window.__pwned||0)+1;document.title='pwned'"
PAYLOADS = [
    f'</script><img src=x onerror="{PWN}">',
    f"<script>{PWN}</script>",
    f"--><!--<script>{PWN}</script>",
    f'</ScRiPt ><svg onload="{PWN}">',
    f"\u2028\u2029\\u003c/script>{PWN}&lt;&amp;\"'",
]


def hostile_inputs() -> tuple[bytes, bytes]:
    generated = "var a='" + "".join(PAYLOADS).replace("'", "") + "';\n" + PAYLOADS[0] + "\n"
    doc = {
        "version": 3,
        "file": PAYLOADS[1],
        "sourceRoot": PAYLOADS[3],
        "sources": [p + ".js" for p in PAYLOADS],
        "sourcesContent": ["\n".join(PAYLOADS)] * 4 + [None],
        "names": PAYLOADS,
        "mappings": "AAAAA,QCCCC,QCCCC;AAAAC,QCCCC",
    }
    return json.dumps(doc).encode(), generated.encode()


def test_a_hostile_map_runs_nothing(browser: Any, tmp_path: Path) -> None:
    data, minified = hostile_inputs()
    title = f"<title>{PAYLOADS[0]}"
    page = tmp_path / "hostile.html"
    write_page(data, minified, page, title=title, minified_name=PAYLOADS[2])
    html = page.read_text("utf-8")
    # The data cannot end its script block or open a comment: one data block, one script.
    assert html.count("<script") == 2 and html.lower().count("</script") == 2
    assert "<!--" not in html
    open_page(browser, page)
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.title == title
    assert browser.execute_script("return document.images.length") == 0
    assert browser.execute_script("return document.scripts.length") == 2
    assert browser.execute_script("return document.querySelectorAll('svg').length") == 0
    # Every payload is there as text.
    options = [o.get_property("textContent") for o in find_all(browser, "#source option")]
    view = View.from_json(data)
    for src_id, option in enumerate(options):
        assert option.startswith(f"{src_id}: {view.get_source_name(src_id)}")
    assert PAYLOADS[1] in text(browser, "#summary")
    assert text(browser, "#gen-name") == PAYLOADS[2]
    for token in (t for t in view if t.src is not None):
        go_to(browser, "gen-pos", token.dst_line, token.dst_col)
        click(
            browser, find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
        )
        assert_panel_shows(browser, token)
        assert token.name in PAYLOADS
    assert PAYLOADS[0] in text(browser, "#orig-scroller")
    assert browser.execute_script("return window.__pwned === undefined")
    assert console_errors(browser) == []


def _message(data: bytes) -> tuple[str, str]:
    try:
        View.from_json(data)
    except SourceMapError as exc:
        return type(exc).__name__, exc.message
    raise AssertionError("the map parses")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b'{"version": 3, "sources": 5, "mappings": "AAAA"}',
        b'{"version": 3, "sources": ["a"], "mappings": "A!A"}',
        json.dumps(
            {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": "x.map"}]}
        ).encode(),
        bytes(random.Random(7).getrandbits(8) for _ in range(20_000)),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b'{"version":3,"sources":["</script><script>' + PWN.encode() + b'</script>"],"mappings":',
    ],
    ids=[
        "empty",
        "truncated",
        "sources-not-a-list",
        "bad-vlq",
        "external-sections",
        "random",
        "png",
        "hostile",
    ],
)
def test_a_map_that_cannot_be_read_gives_a_page_that_says_why(
    browser: Any, tmp_path: Path, data: bytes
) -> None:
    kind, message = _message(data)
    page = tmp_path / "broken.html"
    assert write_page(data, b"var a = 1;", page) == message
    open_page(browser, page)
    assert find(browser, "#error").is_displayed() and not find(browser, "#viewer").is_displayed()
    assert text(browser, "#error-kind") == kind
    assert text(browser, "#error-message") == message
    assert browser.execute_script("return window.__pwned === undefined")
    assert console_errors(browser) == []


def test_binary_and_non_utf8_inputs_open(browser: Any, tmp_path: Path) -> None:
    """A "minified file" of binary garbage with a 2 MB line, and NULs and lone surrogate
    escapes in the map's texts: the page opens, with replacement characters, and says so."""
    rng = random.Random(3)
    garbage = bytes(rng.getrandbits(8) for _ in range(50_000)).replace(b"\n", b"")
    minified = b"var a=1;\xff\xfe\x00\x01\n" + b"x" * 2_000_000 + b"\n" + garbage
    doc = {
        "version": 3,
        "sources": ["a\u0000.js", "\ud800.js"],
        "sourcesContent": ["one\u0000\u0007\ttwo\r\nthree\u2028four", "\udfff"],
        "names": ["\u0000"],
        "mappings": f"AAAAA,SAAS;{vlq(1_999_000, 1, 0, 0)},CCCA;;AAAA",
    }
    page = tmp_path / "garbage.html"
    write_page(json.dumps(doc).encode(), minified, page)
    open_page(browser, page)
    assert "the minified file is not valid UTF-8" in text(browser, "#summary")
    assert "\ufffd" in text(browser, "#gen-scroller")
    go_to(browser, "gen-pos", 1, 1_999_990)
    assert panel(browser)["generated_at"] is not None
    assert "x" * 20 in text(browser, "#gen-scroller")
    assert console_errors(browser) == []


def test_unmapped_and_invalid_mappings_are_marked(browser: Any, tmp_path: Path) -> None:
    # Line 0: mapped; an unmapped (1-field) segment; a.js line 6 (it has 2); a.js line 1
    # column 51 (it has 3); b.js, which has no contents. Line 1 ("xyz"): a segment at column
    # 6, past its end. Line 3: no segment at all.
    doc = {
        "version": 3,
        "sources": ["a.js", "b.js"],
        "sourcesContent": ["one\ntwo", None],
        "names": ["n"],
        "mappings": "AAAAA,E,EAKA,EALkD,ECAlD;KDCA;;",  # (checked against vlq() below)
    }
    assert (
        doc["mappings"]
        == ",".join(
            [vlq(0, 0, 0, 0, 0), vlq(2), vlq(2, 0, 5, 0), vlq(2, 0, -5, 50), vlq(2, 1, 0, -50)]
        )
        + ";"
        + vlq(5, -1, 1, 0)
        + ";;"
    )
    data = json.dumps(doc).encode()
    page = tmp_path / "problems.html"
    write_page(data, b"abcdefghij\nxyz\n\nlast", page)
    open_page(browser, page)
    summary = text(browser, "#summary")
    for fact in (
        "6 segments",
        "1 unmapped segments",
        "2 invalid original positions",
        "1 into sources without contents",
        "1 past the end of the generated code",
        "9 generated characters without a mapping",
    ):
        assert fact in summary
    for css in (".u", ".x", ".m.bad", ".m.nc", ".mark", ".ln.beyond"):
        assert find_all(browser, f"#gen-scroller {css}") or find_all(
            browser, f"#orig-scroller {css}"
        ), css
    assert find_all(browser, '#orig-scroller .row.beyond .mark[data-pos="5:0"]')
    assert find_all(browser, '#orig-scroller .mark.bad[data-pos="0:50"]')
    view = View.from_json(data)
    button = find(browser, "#next-problem")
    assert button.get_property("textContent") == "Next problem (3)"
    expected = [
        "invalid: line 6 is past the end of the source (2 lines)",
        "invalid: column 51 is past the end of line 1 (3 columns)",
        "invalid; its generated position is past the end of its line",
    ]
    for status in expected:
        button.click()
        shown = panel(browser)
        assert shown["status"] == status
        token = view.lookup_token(*shown["generated_at"])
        assert token is not None and shown["original_at"] == (token.src_line, token.src_col)
    go_to(browser, "gen-pos", 0, 3)
    assert panel(browser)["status"].startswith("unmapped: a 1-field segment")
    assert view.lookup_token(0, 3) is None
    go_to(browser, "gen-pos", 3, 2)
    assert panel(browser)["status"] == "no segment: no mapping covers this generated code"
    go_to(browser, "gen-pos", 0, 8)
    assert panel(browser)["status"].startswith("the source has no sourcesContent")
    assert console_errors(browser) == []


def test_a_view_a_memdb_and_str_inputs(browser: Any, tmp_path: Path) -> None:
    """Every form a map comes in gives the same page; only JSON is checked against
    ECMA-426. A view passed in is the caller's: it stays open."""
    data = (FIXTURES / "terser-underscore.min.js.map").read_bytes()
    minified = (FIXTURES / "terser-underscore.min.js").read_text("utf-8")
    view = View.from_json(data)
    pages = {
        "json": render_page(data, minified),
        "str": render_page(data.decode("utf-8"), minified),
        "view": render_page(view, minified),
        "memdb": render_page(view.dump_memdb(), minified),
    }
    assert not view.closed
    assert pages["json"] == pages["str"]
    for kind, html in pages.items():
        page = tmp_path / f"{kind}.html"
        page.write_text(html, "utf-8")
        open_page(browser, page)
        summary = text(browser, "#summary")
        assert f"{len(view):,} segments" in summary
        assert ("ECMA-426: valid" in summary) == (kind in ("json", "str"))
        assert console_errors(browser) == []
    # A str may hold what UTF-8 cannot: a lone surrogate goes in as its JSON escape.
    page = tmp_path / "surrogate.html"
    write_page(data, "var a = '\ud800';\n" + minified, page, title="\udfff")
    open_page(browser, page)
    assert browser.execute_script("return document.title.charCodeAt(0)") == 0xDFFF
    assert console_errors(browser) == []


def test_the_page_puts_no_data_into_markup() -> None:
    """Text reaches the DOM through textContent only: no HTML sink in the page's script,
    and its style and script are the ones the Content-Security-Policy allows."""
    script = (PAGE / "page.js").read_text("utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setAttribute(\"on", "srcdoc"):  # fmt: skip
        assert sink not in script, sink
    assert "</script" not in script.lower() and "<!--" not in script
    html = render_page((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    assert "script-src 'sha256-" in html and "default-src 'none'" in html


# -- the 14 MB map --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def large_map() -> Path:
    """bench/data/large.min.js.map (14 MB, the TypeScript compiler), made as
    tests/test_large.py makes its input when it is not there yet."""
    path = BENCH_DATA / "large.min.js.map"
    if not path.exists():
        if shutil.which("node") is None or shutil.which("npm") is None:
            pytest.skip("node and npm are needed to build bench/data/large.min.js.map")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=BENCH_INPUTS, check=True)
        subprocess.run(["node", "make_inputs.mjs", str(BENCH_DATA)], cwd=BENCH_INPUTS, check=True)
    return path


def test_the_14_mb_map_opens_quickly(browser: Any, tmp_path: Path, large_map: Path) -> None:
    data = large_map.read_bytes()
    minified = large_map.with_suffix("").read_bytes()
    page = tmp_path / "large.html"
    started = time.perf_counter()
    write_page(data, minified, page, minified_name="large.min.js")
    written = time.perf_counter() - started
    opened = [open_page(browser, page) for _ in range(2)]
    steps = browser.execute_script("return window.__lsmTimings")
    print(
        f"\nvisualize large.min.js.map ({len(data) / 1e6:.1f} MB map, "
        f"{len(minified) / 1e6:.1f} MB minified): page {page.stat().st_size / 1e6:.1f} MB "
        f"written in {written:.2f} s; ready {opened[0]:.0f} ms after navigation start "
        f"(again: {opened[1]:.0f} ms; "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(steps.items(), key=lambda kv: kv[1]))
        + ")"
    )
    # Generous: the page opens in about a second here; a slow CI machine must not fail.
    assert max(opened) < 10_000
    view = View.from_json(data)
    lines = minified.split(b"\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    for line, col in ((longest, len(lines[longest]) - 10), (longest, 123_456), (3, 40)):
        token = view.lookup_token(line, col)
        assert token is not None
        go_to(browser, "gen-pos", line, col)
        assert_panel_shows(browser, token)
        span = find(browser, f'#gen-scroller [data-pos="{token.dst_line}:{token.dst_col}"]')
        click(browser, span)
        assert_panel_shows(browser, token)
        assert_partners_selected(browser, token)
    assert console_errors(browser) == []
