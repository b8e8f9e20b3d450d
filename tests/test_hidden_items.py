"""The public edition reveals nothing of the distributions it leaves out (issue 18, defect 14).

An attacker who reads the public site must not learn that a dataset has an internal distribution:
not from a gap in the numbers (``#distribution-1`` with no ``#distribution-0``), nor from a
resource's ``position``, nor from a CKAN resource id made from its place in the entry. The attack:
build the public edition of a catalogue whose internal distributions come first, and of the same
catalogue with them deleted; every file must be byte for byte the same.
"""

from __future__ import annotations

from pathlib import Path

from citycat.feeds import ckan
from citycat.model import policy
from citycat.pipeline.build import build
from citycat.source.load import load
from tests.conftest import CASES, TODAY, assemble

# the good case's internal distribution (of nguoi-hanh-nghe-kham-chua-benh), written last there
INTERNAL = """      - title:
          vi: Điểm kết nối nội bộ LGSP
          en: Internal LGSP endpoint
        format: API
        access_url: https://lgsp.hanoi.gov.vn/internal/syt/hanh-nghe-7f3a
        internal: true
"""
FIRST_PUBLIC = """      - title:
          vi: API tra cứu người hành nghề
"""
# a second one, put first in bang-gia-dat (a dataset with one public distribution)
LAND = """    distributions:
      - title:
          vi: Bảng giá đất (XLSX)
"""
LAND_INTERNAL = """    distributions:
      - title:
          vi: Bản nội bộ
          en: Internal copy
        format: XLSX
        download_url: https://noibo.hanoi.gov.vn/bang-gia-dat-noi-bo.xlsx
        internal: true
      - title:
          vi: Bảng giá đất (XLSX)
"""


def _catalogue(root: Path, hidden: bool) -> Path:
    assemble(root, CASES / "good")
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    assert INTERNAL in text and FIRST_PUBLIC in text and LAND in text
    text = text.replace(INTERNAL, "")
    if hidden:  # the internal distributions first, before every public one
        text = text.replace(FIRST_PUBLIC, INTERNAL + FIRST_PUBLIC).replace(LAND, LAND_INTERNAL)
    path.write_text(text, "utf-8")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_public_edition_is_the_same_as_with_the_internal_items_deleted(tmp_path):
    with_hidden = _catalogue(tmp_path / "hidden", hidden=True)
    without = _catalogue(tmp_path / "deleted", hidden=False)
    build(with_hidden, with_hidden / "public", TODAY)
    build(without, without / "public", TODAY)
    a, b = _files(with_hidden / "public"), _files(without / "public")
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert differ == []
    # and the public files were worth comparing: they hold the public distributions, numbered from 0
    ttl = a["dataset/bang-gia-dat.ttl"].decode("utf-8")
    assert "bang-gia-dat#distribution-0>" in ttl and "#distribution-1" not in ttl
    assert b"noibo.hanoi.gov.vn" not in b"".join(a.values())


def test_a_public_distribution_has_the_same_number_in_both_editions(tmp_path):
    c = load(_catalogue(tmp_path / "hidden", hidden=True)).catalogue
    d = c.dataset("nguoi-hanh-nghe-kham-chua-benh")
    internal, public = d.distributions
    assert internal.internal and not public.internal
    assert (policy.number(d, public), policy.number(d, internal)) == (0, 1)
    assert policy.distribution_fragment(d, public) == "distribution-0"
    ids = {}
    for edition in (policy.PUBLIC, policy.INTERNAL):
        package = next(p for p in ckan.publish(c, TODAY, edition).packages if p["name"] == d.id)
        ids[edition] = {r["url"]: r["id"] for r in package["resources"]}
    assert ids[policy.PUBLIC] == {public.url: ids[policy.INTERNAL][public.url]}
    assert len(set(ids[policy.INTERNAL].values())) == 2


def test_internal_edition_numbers_are_unique_in_the_distributions_table(tmp_path):
    from citycat.feeds import datapackage

    c = load(_catalogue(tmp_path / "hidden", hidden=True)).catalogue
    _, data = datapackage.package(c, policy.INTERNAL)
    rows = dict(data)["data/distributions.csv"].decode("utf-8").splitlines()[1:]
    keys = [tuple(row.split(",")[:2]) for row in rows]
    assert len(keys) == len(set(keys)) == 5
    assert ("bang-gia-dat", "1") in keys and ("bang-gia-dat", "0") in keys
