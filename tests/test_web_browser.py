"""The web app in a real browser: Debian's chromium driven by Playwright, against a real
server on 127.0.0.1. Screenshots go to $STORYTRACE_SCREENSHOTS (default: a temp folder)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DEMO

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser tests are skipped then
    expect = None

from storytrace.pipeline import analyze

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (make test installs it where it can: scripts/install-browser.sh)",
    ),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from storytrace.web.app import create_app

    out = tmp_path_factory.mktemp("browser")
    analyze([DEMO], out)
    port = _free_port()
    config = uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        p = context.new_page()
        p.set_default_timeout(30_000)
        yield p
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(
        os.environ.get("STORYTRACE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots")
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_open_a_story_and_a_comparison(page: Any, server: str, shots: Path) -> None:
    page.goto(server + "/")
    assert page.locator("#stories tr").count() == 3  # header + two stories
    page.screenshot(path=str(shots / "stories.png"), full_page=True)
    page.get_by_role(
        "link", name="Kaelland to spend 412 million euros repairing cracked Harvik Dam"
    ).click()
    page.wait_for_selector("svg.dag")
    assert page.locator("svg.dag rect").count() == 5
    page.screenshot(path=str(shots / "story.png"), full_page=True)
    page.locator(
        "a.compare", has_text="web/nordwire_harvik_dam.html → web/kaelland_herald_harvik_dam.html"
    ).click()
    page.wait_for_selector("#compare [data-pid]")
    first = page.locator("#compare [data-pid]").first
    pid = first.get_attribute("data-pid")
    first.hover()
    # the passage and its partner light up, one in each column
    assert page.locator(f".sbs > div:nth-child(1) [data-pid='{pid}'].hl").count() >= 1
    assert page.locator(f".sbs > div:nth-child(2) [data-pid='{pid}'].hl").count() >= 1
    assert page.locator("#compare mark").count() > 0
    page.screenshot(path=str(shots / "compare.png"), full_page=True)


def test_search_and_query(page: Any, server: str, shots: Path) -> None:
    page.goto(server + "/")
    page.fill("input[name=q]", "Velamar")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Velamar")
    assert page.locator("#stories tr").count() == 2
    page.goto(server + "/query")
    excerpt = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")[:1500]
    page.fill("textarea[name=text]", excerpt)
    page.click("#query-submit")
    page.wait_for_selector("#hits")
    assert page.locator("#hits", has_text="text/portnewsnow_velamar_strike.txt").count() == 1
    page.screenshot(path=str(shots / "query.png"), full_page=True)


def test_the_pages_own_scripts_run_under_its_security_policy(page: Any, server: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/upload?job=nope")  # the inline script polls /jobs/nope
    expect(page.locator("#job")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_page_on_another_site_cannot_post_into_the_store(
    page: Any, server: str, tmp_path: Path
) -> None:
    """A real page on another origin (its own server) submits a form to /upload, as a
    malicious site the user visits would: the browser sends its Origin and the app says 403."""
    import functools
    import http.server

    (tmp_path / "attack.html").write_text(
        f"<form id=f method=post action='{server}/upload' enctype='multipart/form-data'>"
        "<input type=hidden name=files value=x></form>"
        "<script>document.getElementById('f').submit()</script>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        with page.expect_response(lambda r: r.url.startswith(server + "/upload")) as answer:
            page.goto(f"http://127.0.0.1:{other.server_address[1]}/attack.html")
        assert answer.value.status == 403
        assert "another site" in page.inner_text("body")
    finally:
        other.shutdown()


def test_upload_a_file_and_watch_progress(
    page: Any, server: str, shots: Path, tmp_path: Path
) -> None:
    upload = tmp_path / "festival.txt"
    upload.write_text(
        "The Alcaria film festival gave its top prize on Saturday to a documentary about salt "
        "workers. The jury praised its patience and its humour.\n\n<script>alert('x')</script>",
        encoding="utf-8",
    )
    page.goto(server + "/upload")
    page.set_input_files("input[name=files]", str(upload))
    page.click("#upload-submit")
    page.wait_for_selector("#job:not([hidden])")
    # (a locator, not wait_for_function: the page's Content-Security-Policy forbids eval)
    expect(page.locator("#job-stage")).to_have_text("done", timeout=120_000)
    assert "1 new documents" in page.inner_text("#job-message")
    page.screenshot(path=str(shots / "upload.png"), full_page=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/doc?id=festival.txt")
    assert "Alcaria film festival" in page.inner_text("#doc-text")
    assert "<script>alert('x')</script>" in page.inner_text("#doc-text")  # shown as text
    assert dialogs == []  # and never run
    page.screenshot(path=str(shots / "document.png"), full_page=True)


# --- the compare view of one copy: rows of sentence pairs, inline changes, direction ---------

_PARENT = [
    "Storm closes the harbour of Dunmere for a week",
    "The harbour of Dunmere was closed on Sunday after a storm damaged 1,240 metres of the "
    "northern pier.",
    "Harbour director Ilsa Tavern said the ferries will not run until the pier is inspected.",
    "Fishermen have moved their boats to the smaller port of Kessel, an hour to the south.",
    "The regional council met on Monday evening to discuss emergency funds for the repairs.",
    "Engineers expect the inspection to take at least five days, the director added.",
]


def _child() -> list[str]:
    kept = [s for s in _PARENT if "Fishermen" not in s]  # the Kessel sentence is dropped
    return [s.replace("1,240", "1,420") for s in kept]


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import json

    import uvicorn

    from storytrace.web.app import create_app

    root = tmp_path_factory.mktemp("copy")
    records = [
        {
            "id": "harbor-ledger/storm",
            "text": "\n\n".join(_PARENT) + "\n",
            "source": "Harbor Ledger",
            "published": "2024-03-03T08:00:00+00:00",
        },
        {
            "id": "riverside-post/storm-copy",
            "text": "\n\n".join(_child()) + "\n",
            "source": "Riverside Post",
            "published": "2024-03-03T11:30:00+00:00",
        },
    ]
    (root / "docs.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    analyze([root / "docs.jsonl"], root / "out")
    port = _free_port()
    config = uvicorn.Config(
        create_app(root / "out"), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_compare_view_rows_marks_and_direction(page: Any, copy_server: str, shots: Path) -> None:
    page.goto(copy_server + "/compare?a=harbor-ledger/storm&b=riverside-post/storm-copy")
    direction = page.locator("#rows .direction")
    assert expect is not None
    expect(direction).to_contain_text("Harbor Ledger")
    assert "Harbor Ledger" in direction.inner_text().split("→")[0]
    assert "Riverside Post" in direction.inner_text().split("→")[1]
    # the changed number is marked on its words, in the child's cell, with its kind
    mark = page.locator("#rows tr.row-pair td:nth-child(2) mark.chg[data-kind='number']")
    expect(mark).to_have_count(1)
    assert mark.inner_text() == "1,420"
    parent_mark = page.locator("#rows tr.row-pair td:nth-child(1) mark.chg[data-kind='number']")
    assert parent_mark.inner_text() == "1,240"
    # the dropped sentence sits in place: after the director's row, before the council's
    rows = page.locator("#rows tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    dropped = next(i for i, t in enumerate(texts) if "Kessel" in t)
    assert "dropped" in texts[dropped] and "not in the child" in texts[dropped]
    assert "Ilsa Tavern" in texts[dropped - 1] and "regional council" in texts[dropped + 1]
    assert page.locator("#rows tr.row-dropped").count() == 1
    page.screenshot(path=str(shots / "compare-rows.png"), full_page=True)
