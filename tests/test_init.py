"""``citycat init``: a new catalogue for a province, written into a temporary folder with the real
command line, then validated, built, and filled by ``citycat import ckan`` from the starter
catalogue served by ``citycat serve`` (read with the real ckanapi client)."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from citycat import __version__
from citycat import init as domain
from citycat.init import packaged
from citycat.source.inputs import CATALOGUE as INPUTS
from citycat.source.load import load
from tests.conftest import TODAY, citycat_serve, starter_root
from tests.importing import citycat, imported, public, source_catalogue

BASE = "https://dulieu.caobang.gov.vn/"


def settings(root) -> dict:
    return yaml.safe_load((root / "catalogue/settings.yaml").read_text("utf-8"))


def init(folder, *more: str):
    return citycat("init", str(folder), *more)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A catalogue for Cao Bằng, made by the command line: (its folder, the finished command)."""
    root = tmp_path_factory.mktemp("init") / "cao-bang"
    done = init(root, "--province", "04", "--base-url", BASE.rstrip("/"))
    assert done.returncode == 0, done.stderr
    return root, done


def test_a_wheel_carries_the_standard_files_of_the_repository(tmp_path):
    """In a checkout the standard files are read from the repository; a wheel (where they are
    not beside the code) carries them in citycat/init/template, written by setup.py's build_py."""
    import subprocess
    import sys
    import zipfile

    repo = packaged.repository()
    want = packaged.expected(repo)
    assert packaged.stored() == want  # a checkout: the repository itself, nothing to keep in step
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    done = subprocess.run([*command, "-w", str(tmp_path), str(repo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob("citycat-*.whl")
    prefix = "citycat/init/template/"
    with zipfile.ZipFile(wheel) as z:
        have = {n.removeprefix(prefix): z.read(n) for n in z.namelist() if n.startswith(prefix)}
    assert have == want


def test_it_says_what_it_made_in_the_language_asked(made, tmp_path):
    root, done = made
    assert 'Đã tạo danh mục "Danh mục dữ liệu dùng chung Tỉnh Cao Bằng"' in done.stderr
    assert "dulieu@caobang.gov.vn" in done.stderr and "Tiếp theo" in done.stderr
    english = init(tmp_path / "en", "-p", "cao bang", "--base-url", BASE, "--lang", "en")
    assert english.returncode == 0, english.stderr
    assert 'Created the catalogue "Cao Bang Province Shared Data Catalogue"' in english.stderr
    assert "Tiếp theo" not in english.stderr


def test_the_settings_name_the_province(made):
    root, _ = made
    c = load(root).catalogue
    s = settings(root)
    assert s["id"] == "cao-bang-shared-data"
    assert s["title"]["vi"] == "Danh mục dữ liệu dùng chung Tỉnh Cao Bằng"
    assert s["title"]["en"] == "Cao Bang Province Shared Data Catalogue"
    assert s["base_url"] == BASE and s["contact_email"] == "dulieu@caobang.gov.vn"
    assert s["languages"] == ["vi", "en"] and s["default_language"] == "vi"
    assert s["edition"]["issuer"]["vi"] == "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG"
    assert s["edition"]["issuer_short"]["vi"] == "UBND Tỉnh"
    assert [a.id for a in c.register_lists["agencies"]] == [s["publisher"]]
    assert c.datasets == () or list(c.datasets) == []
    # the standard registers and Table Schemas, as the repository has them
    repo = packaged.repository()
    themes = (root / "catalogue/themes.yaml").read_text("utf-8")  # a province's, not the city's
    assert themes == (repo / "catalogue/themes.yaml").read_text("utf-8").replace("Thành phố", "Tỉnh").replace(
        "City themes", "Province themes"
    )
    for schema in (repo / "schemas" / "catalogue").iterdir():
        assert (root / "schemas" / "catalogue" / schema.name).read_bytes() == schema.read_bytes()
    assert "Cao Bằng là 04" in (root / "schemas/shared/fields.json").read_text("utf-8")


def test_nothing_of_hanoi_is_left_where_a_province_reads_it(made):
    root, _ = made
    for rel in (
        "datasets.yaml",
        "README.md",
        "catalogue/settings.yaml",
        "catalogue/agencies.yaml",
        "catalogue/licences.yaml",
        "schemas/shared/fields.json",
        "site/i18n/vi.yaml",
        "site/i18n/en.yaml",
        ".github/workflows/catalogue.yml",
        ".gitlab-ci.yml",
    ):
        text = (root / rel).read_text("utf-8")
        assert not re.search(r"Hà Nội|Hanoi|hanoi|Thành phố|the city's|City People", text), rel
    head = (root / "datasets.yaml").read_text("utf-8")
    assert head.startswith("# yaml-language-server: $schema=schemas/editor/datasets.schema.json\n")
    assert "DANH MỤC DỮ LIỆU DÙNG CHUNG TỈNH CAO BẰNG" in head and head.endswith("\ndatasets: []\n")


def test_the_ci_files_install_citycat_and_run_its_checks(made):
    root, _ = made
    github = yaml.safe_load((root / ".github/workflows/catalogue.yml").read_text("utf-8"))
    gitlab = yaml.safe_load((root / ".gitlab-ci.yml").read_text("utf-8"))
    assert github["env"]["CITYCAT"] == gitlab["variables"]["CITYCAT"] == f"citycat=={__version__}"
    steps = [s.get("run", "") for s in github["jobs"]["check"]["steps"]]
    assert "citycat schema --check" in steps and "citycat fmt --check" in steps


def test_validate_passes_with_only_the_publishers_two_missing_details(made):
    root, _ = made
    done = citycat("validate", "--root", str(root), "--today", TODAY.isoformat(), "--lang", "en")
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    warnings = re.findall(r"warning\[([a-z-]+)\]", said)
    assert warnings == ["field-recommended", "field-recommended"], said  # website, email
    assert "0 errors" in said
    # what the CI files run on every pull request
    citycat("fmt", "--check", "--root", str(root), check=True)
    citycat("schema", "--check", "--root", str(root), check=True)


def test_build_makes_an_empty_site_that_says_so(made, tmp_path):
    root, _ = made
    out = tmp_path / "public"
    done = citycat("build", "--root", str(root), "--out", str(out), "--today", TODAY.isoformat())
    assert done.returncode == 0, done.stderr
    home = (out / "index.html").read_text("utf-8")
    assert "Danh mục dữ liệu dùng chung Tỉnh Cao Bằng" in home
    assert "Danh mục chưa có bộ dữ liệu nào" in home
    assert 'class="charts"' not in home  # no chart of zeros
    assert "Cao Bang Province Shared Data Catalogue" in (out / "en/index.html").read_text("utf-8")
    for page in ("datasets/index.html", "list/index.html", "en/datasets/index.html", "en/list/index.html"):
        text = (out / page).read_text("utf-8")
        assert "Chưa có bộ dữ liệu nào." in text or "No datasets yet." in text, page
    assert "<table" not in (out / "list/index.html").read_text("utf-8")  # no table without rows
    assert (out / "agencies/so-khoa-hoc-va-cong-nghe/index.html").is_file()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``citycat serve`` of a copy of the starter catalogue (its CKAN API on loopback)."""
    copy = tmp_path_factory.mktemp("source")
    root = starter_root()
    for name in INPUTS:
        if (root / name).is_dir():
            shutil.copytree(root / name, copy / name)
        elif (root / name).is_file():
            shutil.copyfile(root / name, copy / name)
    with citycat_serve(copy, copy / "public") as url:
        yield url


def test_import_ckan_fills_a_new_catalogue_that_still_validates(served, tmp_path):
    root = tmp_path / "cat"
    init(root, "-p", "Cao Bằng", "--base-url", BASE).check_returncode()
    before = (root / "datasets.yaml").read_text("utf-8")
    done = imported("ckan", served, root)
    assert done.returncode == 0, done.stderr
    c = load(root).catalogue
    assert sorted(d.id for d in c.datasets) == sorted(d.id for d in public(source_catalogue()))
    assert len(c.register_lists["agencies"]) > 1  # the source's agencies added to the register
    text = (root / "datasets.yaml").read_text("utf-8")
    assert text.startswith(before.removesuffix("datasets: []\n") + "datasets:\n  - id: ")  # header kept
    check = citycat("validate", "--root", str(root), "--today", TODAY.isoformat(), "--lang", "en")
    assert check.returncode == 0, check.stderr
    assert "0 errors" in check.stdout


def test_a_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path):
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_text("mine", "utf-8")
    vi = init(root, "-p", "04", "--base-url", BASE)
    en = init(root, "-p", "04", "--base-url", BASE, "--lang", "en")
    assert vi.returncode == en.returncode == 2
    assert "không trống" in vi.stderr and "chưa có gì được ghi" in vi.stderr
    assert "is not empty" in en.stderr and "nothing was written" in en.stderr
    assert [p.name for p in root.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]  # no temporary folder left
    empty = tmp_path / "empty"
    empty.mkdir()
    assert init(empty, "-p", "04", "--base-url", BASE).returncode == 0  # an empty folder is fine
    assert (empty / "datasets.yaml").is_file()


@pytest.mark.parametrize(
    "args, vi, en",
    [
        (["-p", "Sài Gòn"], "không phải tỉnh, thành phố nào", "is none of the 34 provinces"),
        (["-p", "99"], "không phải tỉnh, thành phố nào", "is none of the 34 provinces"),
        (["--name-vi", "Tỉnh Mới"], "Cần cho biết danh mục của ai", "Say whose catalogue it is"),
        (["-p", "04", "--no-base"], "Cần --base-url", "--base-url is needed"),
        (
            ["-p", "04", "--base-url", "http://caobang.gov.vn/"],
            "không phải địa chỉ dùng được",
            "cannot be --base-url",
        ),
        (["-p", "04", "--id", "Cao Bằng"], "không dùng được làm mã danh mục", "cannot be the catalogue's id"),
        (
            ["-p", "04", "--deadline", "31/13/2026"],
            "không phải ngày (--deadline)",
            "is not a date (--deadline)",
        ),
        (["-p", "04", "--email", "dulieu"], "không phải địa chỉ thư điện tử", "is not an e-mail address"),
        (["-p", "04", "--default-language", "fr"], "không phải ngôn ngữ của danh mục", "is not a language"),
        (["-p", "04", "--citycat", 'x"y'], "không dùng được cho --citycat", "cannot be --citycat"),
    ],
)
def test_bad_options_are_refused_in_the_users_language_and_nothing_is_written(tmp_path, args, vi, en):
    if "--no-base" in args:
        args = [a for a in args if a != "--no-base"]
    elif "--base-url" not in args:
        args = [*args, "--base-url", BASE]
    for lang, words in (("vi", vi), ("en", en)):
        done = init(tmp_path / "cat", *args, "--lang", lang)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("citycat: ") and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_folder_and_the_list_of_provinces():
    done = citycat("init")
    assert done.returncode == 2 and "Cần cho biết thư mục" in done.stderr
    listed = citycat("init", "--list-provinces")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 34 and "04  Cao Bằng" in lines and "79  Thành phố Hồ Chí Minh" in lines


@pytest.mark.parametrize(
    "query, code, vi, en",
    [
        ("04", "04", "Tỉnh Cao Bằng", "Cao Bang Province"),
        ("4", "04", "Tỉnh Cao Bằng", "Cao Bang Province"),
        ("cao bang", "04", "Tỉnh Cao Bằng", "Cao Bang Province"),
        ("Tỉnh Cao Bằng", "04", "Tỉnh Cao Bằng", "Cao Bang Province"),
        ("Hà Nội", "01", "Thành phố Hà Nội", "Ha Noi City"),
        ("hanoi", "01", "Thành phố Hà Nội", "Ha Noi City"),
        ("TP Hồ Chí Minh", "79", "Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
        ("Đắk Lắk", "66", "Tỉnh Đắk Lắk", "Dak Lak Province"),
    ],
)
def test_a_province_by_code_or_name(query, code, vi, en):
    p = domain.province(query)
    assert (p.code, p.name_vi, p.name_en) == (code, vi, en)


def test_every_province_makes_valid_settings():
    """All 34: a distinct id from the name, an ASCII English name, the right committee."""
    ids = set()
    for p in domain.provinces():
        where = domain.province(str(p.code.value))
        o = domain.options(where, base_url=BASE)
        assert domain.ID.match(o.id) and where.name_en.isascii()
        ids.add(o.id)
        committee = "UBND Thành phố" if where.city else "UBND Tỉnh"
        assert f'vi: "{committee}"' in domain.settings_yaml(o)
    assert len(ids) == 34


def test_a_city_keeps_the_citys_words(tmp_path):
    root = tmp_path / "hp"
    init(root, "-p", "Hải Phòng", "--base-url", "https://dulieu.haiphong.gov.vn/").check_returncode()
    repo = packaged.repository()
    for name in ("themes.yaml", "vocabularies.yaml"):
        assert (root / "catalogue" / name).read_bytes() == (repo / "catalogue" / name).read_bytes()
    vi = yaml.safe_load((root / "site/i18n/vi.yaml").read_text("utf-8"))
    assert vi["annex_title"] == "Danh mục dữ liệu dùng chung của Thành phố Hải Phòng"
    assert "UBND Thành phố" in (root / "catalogue/settings.yaml").read_text("utf-8")


def test_names_by_option_override_the_province_and_need_no_province(tmp_path):
    root = tmp_path / "cat"
    done = init(
        root,
        "--name-vi",
        "Thành phố Thủ Đô",
        "--name-en",
        "Capital City",
        "--base-url",
        BASE,
        "--default-language",
        "en",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        'Created the catalogue "Capital City Shared Data Catalogue"'
    )  # its language
    s = settings(root)
    assert s["default_language"] == "en"
    assert s["id"] == "thu-do-shared-data"
    assert s["edition"]["issuer_short"]["vi"] == "UBND Thành phố"
    assert s["title"]["en"] == "Capital City Shared Data Catalogue"


def test_a_failure_half_way_leaves_nothing(tmp_path, monkeypatch):
    def broken(root):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(domain, "generated", broken)
    o = domain.options(domain.province("04"), base_url=BASE)
    with pytest.raises(domain.InitError) as caught:
        domain.create(tmp_path / "cat", o)
    assert caught.value.key == "init.cannot_write"
    assert list(tmp_path.iterdir()) == []
