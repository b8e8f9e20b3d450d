"""Imported values are untrusted: markup, script URLs, clashing and odd names, NFD text, huge
fields and missing ones, through the real command line and the pure helpers."""

from __future__ import annotations

import json
import unicodedata

from citycat.imports.common import Ids, accepted_url, clean
from citycat.source.load import load
from tests.conftest import TODAY
from tests.importing import citycat, empty_catalogue, imported

NFD = unicodedata.normalize("NFD", "Danh sách trường học Hoà Bình")
LONG = "Mô tả rất dài về dữ liệu đường phố. " * 300  # 10,800 characters


def _catalog() -> dict:
    xss = (
        "<script>alert('x')</script><p>Danh sách <b>điểm</b> thu gom rác thải sinh hoạt của các phường, xã.</p>"
        "&lt;img src=x onerror=alert(1)&gt; [xem](javascript:alert(1)) [nguồn](https://nguon.example.vn/a)"
    )
    return {
        "dataset": [
            {"identifier": "https://x.example/dataset/diem-thu-gom", "title": "<i>Điểm thu gom rác</i>",
             "description": xss, "accessLevel": "public", "keyword": ["<b>rác</b>", "r", None, 42],
             "publisher": {"name": "Sở Xây dựng"}, "contactPoint": {"fn": "A", "hasEmail": "mailto:a@b.vn"},
             "license": "https://creativecommons.org/licenses/by/4.0/", "accrualPeriodicity": "R/P1M",
             "landingPage": "http://user:secret@x.example/",
             "distribution": [
                 {"title": "Tệp", "downloadURL": "javascript:alert(1)", "format": "CSV"},
                 {"title": "API", "accessURL": "data:text/html,<script>alert(1)</script>", "format": "API"},
                 {"title": "Tệp 2", "downloadURL": "https://x.example/a b.csv", "format": "CSV"},
                 {"title": "Tệp 3", "downloadURL": "https://x.example/ok.csv", "mediaType": "text/csv"},
             ]},
            {"identifier": "Bản đồ", "title": "Bản đồ số một", "description": LONG, "accessLevel": "public"},
            {"identifier": "Ban do", "title": "Bản đồ số hai " + "x" * 400, "description": LONG},
            {"identifier": "ban-do", "title": NFD, "description": NFD + " " + NFD},
            {"title": "Chỉ có tên"},
            {},
            "not a dataset",
            None,
        ]
    }  # fmt: skip


def test_hostile_data_json(tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    (tmp_path / "data.json").write_text(json.dumps(_catalog(), ensure_ascii=False), "utf-8")
    done = imported("datajson", str(tmp_path / "data.json"), target, "--lang", "en")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    text = (target / "datasets.yaml").read_text("utf-8")
    assert "<" not in text.split("datasets:", 1)[1] and "javascript:" not in text and "data:text" not in text
    assert "secret" not in text  # a URL with credentials is refused
    assert unicodedata.is_normalized("NFC", text)
    c = load(target).catalogue
    ids = [d.id for d in c.datasets]
    assert ids == ["diem-thu-gom", "ban-do", "ban-do-2", "ban-do-3", "chi-co-ten"]
    d = c.dataset("diem-thu-gom")
    assert d.get("title.vi") == "Điểm thu gom rác"
    assert d.get("description.vi") == (
        "Danh sách điểm thu gom rác thải sinh hoạt của các phường, xã.\nxem nguồn (https://nguon.example.vn/a)"
    )
    assert "onerror" not in d.get("description.vi") and "script" not in d.get("description.vi")
    assert d.get("keywords.vi") == ("rác", "42")  # "r" is too short, None is nothing
    assert [(x.get("download_url"), x.get("access_url")) for x in d.distributions] == [
        (None, None),
        (None, None),
        (None, None),
        ("https://x.example/ok.csv", None),
    ]
    assert "unsafe URL dropped from 'distributions[0].download_url': javascript:alert(1)" in done.stderr
    assert len(c.dataset("ban-do").get("description.vi")) <= 5000
    assert len(c.dataset("ban-do-2").get("title.vi")) <= 300
    assert c.dataset("ban-do-3").get("title.vi") == unicodedata.normalize("NFC", NFD)
    assert "'description.vi' too long, cut to 5000 characters" in done.stderr
    citycat("fmt", "--check", "--root", str(target), check=True)
    result = citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), "--format", "json")
    errors = {
        (f["dataset"], f["code"]) for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"
    }
    assert ("diem-thu-gom", "distribution-url-missing") in errors
    assert ("chi-co-ten", "field-required") in errors
    assert not any(code.startswith(("yaml-", "url-scheme")) for _, code in errors)


def test_clean_text():
    assert clean("<p>a</p><p>b</p>", multiline=True) == "a\n\nb"
    assert clean("&amp;lt;b&amp;gt;x&amp;lt;/b&amp;gt;") == "x"  # double-encoded markup
    assert clean("<style>p{}</style>x<script>y</script>") == "x"
    assert clean("a < b and c > d") == "a < b and c > d"  # not markup: kept
    assert clean("nhấn [đây](javascript:alert(1))") == "nhấn đây"
    assert clean("t\x00\x1bi\u200bn") == "tin"
    assert clean(unicodedata.normalize("NFD", "Hoà")) == "Hoà"


def test_accepted_url():
    assert accepted_url("https://dulieu.hanoi.gov.vn/a?b=1") == "https://dulieu.hanoi.gov.vn/a?b=1"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "file:///etc/passwd", "//x.vn/a",
                "https://u:p@x.vn/", "https://x.vn/a b", "https://", "http://x.vn:99999/", None, 5):  # fmt: skip
        assert accepted_url(bad) is None, bad


def test_ids_are_slugs_unique_ignoring_case():
    ids = Ids(["so-y-te"])
    assert ids.make("Sở Y tế") == "so-y-te-2"
    assert ids.make("Đường phố Hà Nội") == "duong-pho-ha-noi"
    assert ids.make("DUONG-PHO-HA-NOI") == "duong-pho-ha-noi-2"
    assert ids.make("???", "Tên") == "ten" and ids.make("", None, "!") is None
