"""The web app over a real store, through Starlette's test client (HTTP in process).

Browser tests of the same pages are in tests/test_web_browser.py.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.conftest import DEMO

from storytrace.config import Config
from storytrace.pipeline import analyze
from storytrace.web.app import MAX_UPLOAD_BYTES, create_app


@pytest.fixture(scope="module")
def web_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("web")
    analyze([DEMO], out)
    return out


@pytest.fixture(scope="module")
def client(web_out: Path) -> Any:
    with TestClient(create_app(web_out), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_stories_page_lists_and_searches(client: TestClient) -> None:
    page = client.get("/").text
    assert "Kaelland to spend 412 million euros" in page and "Dockworkers" in page
    assert page.count("/story/story-") == 2
    found = client.get("/", params={"q": "Velamar"}).text
    assert found.count("/story/story-") == 1 and "Dockworkers" in found
    assert "No story matches" in client.get("/", params={"q": "zzzz-nothing"}).text


def test_story_page_draws_the_graph_and_links_comparisons(client: TestClient) -> None:
    story = client.get("/").text.split('href="/story/', 1)[1].split('"', 1)[0]
    page = client.get(f"/story/{story}").text
    assert "<svg" in page and "derivation graph" in page
    assert "/compare?a=" in page and "origin" in page
    assert client.get("/story/story-nope").status_code == 404


def test_document_page_greys_removed_junk(client: TestClient) -> None:
    page = client.get("/doc", params={"id": "text/hotnewsmirror_harvik_dam.txt"}).text
    assert "title='removed: ad marker'" in page and "title='removed: comments'" in page
    assert client.get("/doc", params={"id": "../../etc/passwd"}).status_code == 404


def test_compare_page_shows_aligned_passages_and_changes(client: TestClient) -> None:
    page = client.get(
        "/compare",
        params={"a": "web/nordwire_harvik_dam.html", "b": "web/kaelland_herald_harvik_dam.html"},
    ).text
    assert "data-pid=" in page and "k-paraphrase" in page
    assert "1240" in page and "1420" in page  # the number the rewrite changed
    # Any two documents can be compared, aligned on request.
    other = client.get(
        "/compare",
        params={"a": "kk-2025-03-12-harvik-staudamm", "b": "text/hotnewsmirror_harvik_dam.txt"},
    )
    assert other.status_code == 200 and "k-translation" in other.text


def test_query_by_text_and_by_file(client: TestClient) -> None:
    text = (DEMO / "text/mps_velamar_port_strike.txt").read_text(encoding="utf-8")
    page = client.post("/query", data={"text": text}).text
    assert "text/portnewsnow_velamar_strike.txt" in page and "nb-2025-03-15-huelga-velamar" in page
    page = client.post("/query", files={"file": ("q.txt", text.encode(), "text/plain")}).text
    assert "ct-2025-03-14-velamar-strike" in page
    assert "Paste a text" in client.post("/query", data={"text": "  "}).text


def test_untrusted_text_is_escaped(client: TestClient) -> None:
    page = client.post("/query", data={"text": "<script>alert('x')</script> ferry"}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_upload_adds_documents_with_progress(client: TestClient, tmp_path: Path) -> None:
    article = (
        "The Brindle chess club opened its winter season on Thursday with a simultaneous "
        "exhibition. Twenty players faced the club champion, who won seventeen games."
    )
    response = client.post(
        "/upload",
        files=[("files", ("chess.txt", article.encode(), "text/plain"))],
        follow_redirects=False,
    )
    assert response.status_code == 303
    job = response.headers["location"].split("job=")[1]
    for _ in range(300):
        status = client.get(f"/jobs/{job}").json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status["state"] == "done", status
    assert "1 new documents" in status["message"]
    assert "Brindle chess club" in client.get("/doc", params={"id": "chess.txt"}).text


def test_uploads_are_type_and_size_checked(client: TestClient) -> None:
    bad_type = client.post(
        "/upload", files=[("files", ("x.exe", b"MZ\x00", "application/octet-stream"))]
    )
    assert bad_type.status_code == 400 and "not a supported type" in bad_type.text
    too_big = client.post(
        "/upload", files=[("files", ("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1), "text/plain"))]
    )
    assert too_big.status_code == 400 and "larger than" in too_big.text
    sneaky = client.post(
        "/upload",
        files=[
            (
                "files",
                (
                    "../../outside.txt",
                    b"A short note about the harbour ferry timetable.",
                    "text/plain",
                ),
            )
        ],
        follow_redirects=False,
    )
    assert sneaky.status_code == 303
    store_dir = Path(client.app.state.site.out_dir)  # type: ignore[attr-defined]
    assert not (store_dir.parent / "outside.txt").exists()
    assert list(store_dir.glob("uploads/*/outside.txt"))


def _wait(client: TestClient, job: str) -> dict[str, Any]:
    for _ in range(600):
        status: dict[str, Any] = client.get(f"/jobs/{job}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job} never finished: {status}")


def test_one_bad_file_in_an_upload_is_reported_and_the_rest_kept(client: TestClient) -> None:
    note = b"The Orsk harbour reopened its fish market on Saturday after two years of works."
    other = b"The Velamar rowing club elected a new chair, a retired ferry captain, on Friday."
    response = client.post(
        "/upload",
        files=[
            ("files", ("setup.exe", b"MZ\x00\x01", "application/octet-stream")),
            ("files", ("market.txt", note, "text/plain")),
            ("files", ("..jsonl", b'{"id": "rowing-club", "text": "' + other + b'"}', "x")),
            ("files", ("empty.txt", b"", "text/plain")),
        ],
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert not response.headers["location"].startswith("http")  # never built from a Host
    status = _wait(client, response.headers["location"].split("job=")[1])
    assert status["state"] == "done", status
    assert "2 new documents" in status["message"]
    assert "setup.exe: not a supported type" in status["message"]
    assert "empty.txt" in status["message"] and "empty" in status["message"]
    assert status["files"] == ["market.txt", "upload.jsonl", "empty.txt"]  # '..jsonl' kept its type
    assert "fish market" in client.get("/doc", params={"id": "market.txt"}).text
    assert "rowing club" in client.get("/doc", params={"id": "rowing-club"}).text


def test_files_of_one_name_are_all_kept(client: TestClient) -> None:
    first = b"The Brindle library extends its opening hours to nine in the evening from May."
    second = b"A storm closed the Brindle coastal road for six hours on Wednesday night."
    third = b"The Brindle guild of bakers held its spring fair, the first since the flood."
    response = client.post(
        "/upload",
        files=[
            ("files", ("brindle.txt", first, "text/plain")),
            ("files", ("sub/brindle.txt", second, "text/plain")),
        ],
        follow_redirects=False,
    )
    status = _wait(client, response.headers["location"].split("job=")[1])
    assert status["state"] == "done" and "2 new documents" in status["message"], status
    assert status["files"] == ["brindle.txt", "brindle-2.txt"]
    again = client.post(
        "/upload", files=[("files", ("brindle.txt", third, "text/plain"))], follow_redirects=False
    )
    status = _wait(client, again.headers["location"].split("job=")[1])
    assert status["state"] == "done" and "1 new documents" in status["message"], status
    assert status["files"] == ["brindle-3.txt"]  # a name already in the store is not reused
    for name, text in (("brindle", first), ("brindle-2", second), ("brindle-3", third)):
        assert text.decode() in client.get("/doc", params={"id": f"{name}.txt"}).text


def test_an_upload_that_crashes_ends_failed_with_its_reason(tmp_path: Path) -> None:
    out = tmp_path / "store"
    analyze([DEMO / "web"], out)
    (out / "report.json").unlink()
    (out / "report.json").mkdir()  # the job's report cannot be written: an OSError, not ours
    with TestClient(create_app(out), base_url="http://127.0.0.1") as local:
        response = local.post(
            "/upload",
            files=[("files", ("note.txt", b"A short note on the harbour ferry.", "text/plain"))],
            follow_redirects=False,
        )
        status = _wait(local, response.headers["location"].split("job=")[1])
    assert status["state"] == "failed"
    assert "IsADirectoryError" in status["message"] and "report.json" in status["message"]


def test_an_upload_into_a_store_of_other_settings_is_analysed_with_them(tmp_path: Path) -> None:
    """Uploads were analysed with the default settings, so a store built with any other
    (``--encoder none``, ``--threshold 0.7``) refused every upload: "built with a different
    configuration"."""
    out = tmp_path / "store"
    settings = Config(encoder="none", lsh_threshold=0.7)
    analyze([DEMO / "web"], out, settings)
    with TestClient(create_app(out), base_url="http://127.0.0.1") as local:
        response = local.post(
            "/upload",
            files=[("files", ("note.txt", b"A short note on the harbour ferry.", "text/plain"))],
            follow_redirects=False,
        )
        status = _wait(local, response.headers["location"].split("job=")[1])
    assert status["state"] == "done", status
    assert "1 new documents" in status["message"]


# --- a heavy page does not hold up the others ---------------------------------------------------


@pytest.fixture(scope="module")
def heavy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a 1.1 MB text with 40,000 removed junk lines."""
    corpus = tmp_path_factory.mktemp("heavy-in")
    lines = []
    for i in range(40_000):
        lines += ["Advertisement", f"The ferry left at {i}."]
    (corpus / "junk.txt").write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path_factory.mktemp("heavy")
    analyze([corpus], out, Config(encoder="none"))
    return out


def test_a_heavy_page_does_not_block_other_requests(heavy_store: Path) -> None:
    import threading

    with TestClient(create_app(heavy_store), base_url="http://127.0.0.1") as local:
        local.get("/")  # the report is built and cached
        timings: dict[str, float] = {}

        def heavy() -> None:
            start = time.monotonic()
            page = local.get("/doc", params={"id": "junk.txt"}).text
            timings["heavy"] = time.monotonic() - start
            timings["removed"] = page.count("title='removed: ad marker'")

        thread = threading.Thread(target=heavy)
        thread.start()
        light: list[float] = []
        while thread.is_alive():
            start = time.monotonic()
            assert local.get("/jobs/none").status_code == 404
            light.append(time.monotonic() - start)
            time.sleep(0.01)
        thread.join()
    assert timings["removed"] == 40_000
    assert timings["heavy"] < 20
    # Were the page built on the event loop, the first light request would wait for all of
    # it and the loop above would run once or twice; here light requests keep being answered.
    # (How many fit depends on how fast the page is; each must come back well before it.)
    median = sorted(light)[len(light) // 2]
    assert len(light) >= 2 and median < min(0.1, timings["heavy"] / 2), (timings, light)


def test_a_page_over_its_time_limit_is_a_clear_503(heavy_store: Path) -> None:
    with TestClient(
        create_app(heavy_store, page_seconds=0.05), base_url="http://127.0.0.1"
    ) as local:
        slow = local.get("/doc", params={"id": "junk.txt"})
        assert slow.status_code == 503 and "took longer than 0.05 seconds" in slow.text
        assert local.get("/jobs/none").status_code == 404  # the app still answers


@pytest.mark.parametrize(
    ("given", "saved", "second"),
    [
        ("..jsonl", "upload.jsonl", "upload-2.jsonl"),
        (".txt", "upload.txt", "upload-2.txt"),
        ("../../etc/notes.TXT", "notes.txt", "notes-2.txt"),
        ("C:\\Users\\me\\a<b>.html", "a_b.html", "a_b-2.html"),
        ("dump.jsonl.gz", "dump.jsonl.gz", "dump-2.jsonl.gz"),
        ("report.v2.txt", "report.v2.txt", "report.v2-2.txt"),
        ("setup.exe", None, None),
        ("archive.gz", "archive.gz", "archive-2.gz"),  # the reader looks inside
    ],
)
def test_upload_names_keep_their_type_and_lose_their_path(
    given: str, saved: str | None, second: str | None
) -> None:
    from storytrace.web.app import safe_name

    assert safe_name(given) == saved
    if saved is not None:
        assert safe_name(given, {saved}) == second


def test_documents_outside_any_story_are_reachable(client: TestClient) -> None:
    page = client.get("/").text
    alone = page.split('id="alone"', 1)[1]
    for distractor in ("web/kbr_skarra_offshore_wind.html", "text/corvania_rail_locomotives.txt"):
        assert distractor in alone
        assert client.get("/doc", params={"id": distractor}).status_code == 200


def test_story_versions_by_time_named_by_outlet_and_counts_as_in_the_report(
    client: TestClient, web_out: Path
) -> None:
    import json
    import re

    report = json.loads((web_out / "report.json").read_text(encoding="utf-8"))
    for story in report["stories"]:
        page = client.get(f"/story/{story['id']}").text
        members = page.split('id="members"', 1)[1].split("</table>", 1)[0]
        times = re.findall(r"<td>(\d{4}-\d\d-\d\dT[^<]*)</td>", members)
        assert times == sorted(times) and len(times) >= 2
        shown = re.findall(
            r"evidence and (\d+) changes: (\d+) on aligned sentences · (\d+) passages added · "
            r"(\d+) dropped",
            page,
        )
        expected = [
            (
                len(e["changes"]),
                sum(c["kind"] not in ("added", "dropped") for c in e["changes"]),
                sum(c["kind"] == "added" for c in e["changes"]),
                sum(c["kind"] == "dropped" for c in e["changes"]),
            )
            for e in story["edges"]
        ]
        assert [tuple(int(x) for x in row) for row in shown] == expected
    page = client.get(f"/story/{report['stories'][0]['id']}").text
    assert "Nordwire: Kaelland to spend 412 million euros" in page  # outlet and title


def test_listing_pages_stories_and_lone_documents(
    web_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from storytrace.web import app as web_app

    monkeypatch.setattr(web_app, "PAGE_ROWS", 1)
    with TestClient(create_app(web_out), base_url="http://127.0.0.1") as local:
        first = local.get("/").text
        assert first.count("/story/story-") == 1 and "page 1 of 2" in first
        second = local.get("/", params={"page": 1}).text
        assert second.count("/story/story-") == 1 and "page 2 of 2" in second
        stories = set(re.findall(r"/story/(story-\w+)", first + second))
        assert len(stories) == 2
        lone = [
            re.findall(
                r'id="alone".*?/doc\?id=([^"]+)"', local.get("/", params={"alone": n}).text, re.S
            )
            for n in range(4)
        ]
        assert all(len(ids) == 1 for ids in lone) and len({i[0] for i in lone}) == 4
        assert 'id="alone"' in local.get("/", params={"alone": 4}).text  # past the end: empty
        assert local.get("/", params={"page": "x"}).status_code == 200  # not a number: page 1
