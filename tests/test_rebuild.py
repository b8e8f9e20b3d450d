"""``citycat.pipeline.rebuild``: a rebuild by entries writes exactly the site a full build writes.

Each test edits a copy of the frozen starter catalogue (49 datasets) the way a data officer
does, lets a ``Session`` rebuild, waits for its feeds, then builds the same catalogue in full
into another folder and compares every file byte for byte, and the findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citycat.pipeline import rebuild
from citycat.pipeline.build import MARKER, build
from citycat.source import entries
from tests.conftest import TODAY, copy_starter


def copy_catalogue(target: Path) -> Path:
    return copy_starter(target)


def files_of(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != MARKER
    }


def assert_same_as_full_build(session: rebuild.Session, tmp_path: Path) -> None:
    assert session.feeds_ready.wait(120), "the feeds were not rebuilt in time"
    full = tmp_path / f"full-{len(list(tmp_path.glob('full-*')))}"
    built = build(session.root, full, TODAY, session.edition, parts=1)
    got, want = files_of(session.out), files_of(full)
    assert sorted(got) == sorted(want), (
        f"only in the rebuild: {sorted(set(got) - set(want))[:5]}, "
        f"only in the full build: {sorted(set(want) - set(got))[:5]}"
    )
    differ = [path for path in want if got[path] != want[path]]
    assert not differ, f"{len(differ)} files differ, e.g. {differ[:5]}"
    assert session.findings == built.findings
    assert not list(session.out.parent.glob(f".{session.out.name}.*.tmp"))


@pytest.fixture(params=[1, 2], ids=["one-process", "forked-feeds"])
def session(request, tmp_path: Path) -> rebuild.Session:
    root = copy_catalogue(tmp_path / "catalogue")
    s = rebuild.Session(root, tmp_path / "site", TODAY, "public", parts=request.param)
    s.build()
    assert s.entries is not None and len(s.entries) == 49
    return s


def edit(session: rebuild.Session, old: str, new: str, count: int = 1) -> None:
    path = session.root / "datasets.yaml"
    text = path.read_text("utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), "utf-8")


def entry_text(session: rebuild.Session, dataset_id: str) -> str:
    return next(e.text for e in session.entries if e.dataset.id == dataset_id)


FIRST = "danh-sach-co-so-kham-benh-chua-benh-duoc-cap-phep-hoat-dong"


def test_a_word_changed_rebuilds_one_entry(session, tmp_path):
    edit(session, "trạm y tế và cơ sở khám bệnh", "trạm y tế, nhà hộ sinh và cơ sở khám bệnh")
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert report.changed == 1 and report.rendered == 1
    assert "nhà hộ sinh" in (session.out / f"datasets/{FIRST}/index.html").read_text("utf-8")
    assert_same_as_full_build(session, tmp_path)


def test_an_added_line_moves_every_later_entry(session, tmp_path):
    edit(session, "      - y-te\n", "      - y-te\n      - moi-truong\n")  # a second theme, one more line
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert report.changed == 1
    lines = [e.line for e in session.entries]
    assert lines == sorted(lines) and all(e.dataset.loc.line == e.line for e in session.entries)
    assert_same_as_full_build(session, tmp_path)


def test_a_new_entry_a_removed_one_and_a_renamed_title(session, tmp_path):
    path = session.root / "datasets.yaml"
    first = entry_text(session, FIRST)
    copy = first.replace(f"id: {FIRST}", "id: co-so-kham-benh-ban-sao").replace(
        "Danh sách cơ sở khám bệnh", "Bản sao: cơ sở khám bệnh"
    )
    copy = copy.replace("HN-SYT-001", "HN-SYT-901").replace("Licensed health-care", "Copied health-care")
    text = path.read_text("utf-8")
    last = next(e for e in reversed(session.entries) if e.dataset.access == "open")
    assert (session.out / f"api/3/action/package_show/{last.dataset.id}.json").is_file()
    text = text.replace(last.text, "") + copy  # an open entry removed, a new one at the end
    path.write_text(text, "utf-8")
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert report.changed == 1
    assert not (session.out / f"datasets/{last.dataset.id}").exists()
    assert session.feeds_ready.wait(120)
    assert not (session.out / f"api/3/action/package_show/{last.dataset.id}.json").exists()
    assert_same_as_full_build(session, tmp_path)
    edit(session, '"Danh sách cơ sở khám bệnh', '"Ấn phẩm: cơ sở khám bệnh')  # moves in the order
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert_same_as_full_build(session, tmp_path)


def test_an_edit_that_changes_another_entrys_findings(session, tmp_path):
    other = session.entries[5].dataset
    title = other.get("title.vi")
    mine = session.entries[0].dataset.get("title.vi")
    edit(session, f'vi: "{mine}"', f'vi: "{title}"')  # two entries with one title: both warned
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert report.rendered >= 2  # the other entry's score changed with its findings
    assert any(f.dataset == other.id and f.code.startswith("title") for f in session.findings)
    assert_same_as_full_build(session, tmp_path)


def test_an_error_is_refused_and_the_site_stays(session, tmp_path):
    page = session.out / f"datasets/{FIRST}/index.html"
    before = page.read_bytes()
    edit(session, "    access: open\n", "    access: opne\n")
    built, report = session.rebuild()
    assert built is None and not report.full
    assert any(f.level == "error" and f.loc.file == "datasets.yaml" for f in report.findings)
    assert page.read_bytes() == before
    edit(session, "    access: opne\n", "    access: open\n")
    built, report = session.rebuild()
    assert built is not None and not report.full
    assert_same_as_full_build(session, tmp_path)


def test_a_register_change_makes_a_full_build(session, tmp_path):
    path = session.root / "catalogue" / "agencies.yaml"
    path.write_text(path.read_text("utf-8").replace("Sở Y tế", "Sở Y Tế", 1), "utf-8")
    built, report = session.rebuild()
    assert built is not None and report.full and "register" in report.reason
    assert_same_as_full_build(session, tmp_path)
    edit(session, "trạm y tế và", "trạm y tế cùng")  # and the next edit is by entries again
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert_same_as_full_build(session, tmp_path)


def test_a_new_user_of_a_dataset_rewrites_the_sharing_page_and_both_agencies(session, tmp_path):
    """The sharing page counts every dataset, as the list of agencies does: an entry's edit that
    changes who uses whose data renders it again, and the panels of both agencies."""
    pages = ("sharing/index.html", "agencies/so-du-lich/index.html", "en/agencies/so-y-te/index.html")
    before = {rel: (session.out / rel).read_bytes() for rel in pages}
    edit(
        session,
        "consumers: [trung-tam-phuc-vu-hanh-chinh-cong, so-tai-chinh]",
        "consumers: [trung-tam-phuc-vu-hanh-chinh-cong, so-tai-chinh, so-du-lich]",
    )
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert all((session.out / rel).read_bytes() != before[rel] for rel in pages)
    assert_same_as_full_build(session, tmp_path)
    # a new user of an internal dataset: the public pages stay as they are, as a full build has them
    sharing_page = (session.out / "sharing/index.html").read_bytes()
    edit(session, "consumers: [so-giao-duc-va-dao-tao]", "consumers: [so-giao-duc-va-dao-tao, so-du-lich]")
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert (session.out / "sharing/index.html").read_bytes() == sharing_page
    assert_same_as_full_build(session, tmp_path)


def test_only_requests_for_feed_files_wait_for_the_feeds():
    for rel in ("data.json", "catalog.ttl", "api/3/action/package_list", "dataset/x.ttl", "datasets.xlsx"):
        assert rebuild.is_feed(rel), rel
    assert rebuild.is_feed("api/3/action/package_show/x.json")
    for rel in (
        "",
        "datasets/x/",
        "en/",
        "datasets/x/index.html",
        "search-index.json",
        "en/search-index.json",
    ):
        assert not rebuild.is_feed(rel), rel
    for rel in ("static/style.css", "static/search.js", "sitemap.xml", "feed.atom", "robots.txt", "404.html"):
        assert not rebuild.is_feed(rel), rel


def test_cut_refuses_what_is_not_the_plain_layout():
    assert entries.cut("datasets: []\n") is None
    assert entries.cut("datasets:\n  - id: a\n    x: 1\nother: 2\n") is None
    text = "# head\ndatasets:\n\n  - id: a\n    x: 1\n  # between\n  - id: b\n"
    made = entries.cut(text)
    assert made.head == "# head\ndatasets:\n\n"
    assert made.entries == (("  - id: a\n    x: 1\n  # between\n", 4), ("  - id: b\n", 7))
    assert made.head + "".join(t for t, _ in made.entries) == text


def test_citycat_serve_rebuilds_an_edit_by_entries(tmp_path):
    """``citycat serve`` as a user runs it: an edit shows on the page, then in the feeds (a
    request for a feed waits for them), and an edit with an error is refused."""
    import json
    import os
    import queue
    import subprocess
    import sys
    import threading
    import urllib.request

    root = copy_catalogue(tmp_path / "catalogue")
    command = [sys.executable, "-m", "citycat", "serve", "--root", str(root), "--out", str(tmp_path / "site")]
    command += ["--port", "0", "--today", TODAY.isoformat(), "--lang", "en"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def said(start: str, timeout: float = 120) -> str:
        while True:
            line = lines.get(timeout=timeout)
            if line.startswith(start):
                return line

    def get(path: str) -> bytes:
        with urllib.request.urlopen(url + path, timeout=120) as response:
            return response.read()

    try:
        url = said("serving ").split()[1].rstrip("/")
        page = f"/datasets/{FIRST}/"
        assert "nhà hộ sinh" not in get(page).decode("utf-8")
        path = root / "datasets.yaml"
        text = path.read_text("utf-8")
        path.write_text(text.replace("trạm y tế và cơ sở", "trạm y tế, nhà hộ sinh và cơ sở", 1), "utf-8")
        assert "entries changed: 1" in said("rebuilt in ")
        assert "nhà hộ sinh" in get(page).decode("utf-8")
        found = json.loads(get("/data.json"))  # written in the background: the request waits for it
        assert any("nhà hộ sinh" in d["description"] for d in found["dataset"])
        path.write_text(
            path.read_text("utf-8").replace("    access: open\n", "    access: opne\n", 1), "utf-8"
        )
        said("citycat: rebuild refused")
        assert "nhà hộ sinh" in get(page).decode("utf-8")  # the last good site stays
    finally:
        proc.terminate()
        proc.wait(timeout=30)
