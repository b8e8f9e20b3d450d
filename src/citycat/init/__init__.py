"""``citycat init``: a new, valid, empty catalogue for a city or province, written all at once.

``place(...)`` settles who the catalogue is for: one of Vietnam's 34 provinces and centrally
run cities by code or name (their official names and codes from the ``vietnam-provinces``
package), or names given outright. ``files(...)`` makes every file of the new repository
(settings and an agencies register written here, the standard registers, Table Schemas, theme,
CI files and CONTRIBUTING from ``citycat.init.packaged``: the repository, or the copy a wheel carries), and
``create(...)`` writes them into a temporary folder beside the target, loads the result with
citycat's own loader to add what is generated from it (the editor schema, docs/fields.md), and
renames the folder into place: all or nothing.

What goes wrong is an ``InitError``: a key of ``init.*`` in ``citycat/cli/words.yaml`` and its
parameters, said in the user's language by the command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from citycat import __version__
from citycat.model.dates import read_date
from citycat.model.vietnamese import fold, nfc, slugify

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")  # settings.id (schemas/catalogue/settings.json)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PUBLISHER = "so-khoa-hoc-va-cong-nghe"  # the coordinating agency of every province since 2025
HANOI_URL = "https://dulieu.hanoi.gov.vn/"  # in the standard registers: the city's own pages
DEFAULT_DEADLINE = dt.date(2026, 12, 31)


class InitError(Exception):
    """The catalogue cannot be made as asked: ``key`` names the words, ``params`` fill them."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Place:
    """Who the catalogue is for."""

    name_vi: str  # the full official name: "Tỉnh Cao Bằng", "Thành phố Hà Nội"
    name_en: str  # "Cao Bang Province", "Ha Noi City"
    city: bool  # a centrally run city (thành phố), else a province (tỉnh)
    code: str | None = None  # the two-digit province code, when known ("04")

    @property
    def short_vi(self) -> str:
        """The name without "Tỉnh"/"Thành phố": "Cao Bằng"."""
        for word in ("Thành phố ", "Tỉnh "):
            if self.name_vi.startswith(word):
                return self.name_vi[len(word) :]
        return self.name_vi

    @property
    def unit_vi(self) -> str:
        return "Thành phố" if self.city else "Tỉnh"


# ---------------------------------------------------------------------------------------------
# The province


def _key(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).split()
    while words[:1] in (["tinh"], ["tp"]) or words[:2] == ["thanh", "pho"]:
        words = words[2:] if words[:2] == ["thanh", "pho"] else words[1:]
    return "".join(words)  # "ha noi", "hanoi", "Hà Nội" are one name


def provinces() -> list:
    """The 34 provinces and centrally run cities (``vietnam_provinces.Province``), by code."""
    from vietnam_provinces import Province

    return sorted(Province.iter_all(), key=lambda p: p.code.value)


def _english(short_vi: str, city: bool) -> str:
    words = " ".join(w.capitalize() for w in fold(short_vi).split())
    return f"{words} {'City' if city else 'Province'}"


def province(query: str) -> Place:
    """The province or city ``query`` names: its code ("4", "04") or its name, with or without
    diacritics and "Tỉnh"/"Thành phố" ("Cao Bằng", "cao bang", "TP Hồ Chí Minh")."""
    from vietnam_provinces import VietNamDivisionType

    wanted = query.strip()
    found = None
    for p in provinces():
        if wanted.isdigit() and int(wanted) == p.code.value:
            found = p
        elif not wanted.isdigit() and _key(wanted) and _key(wanted) in (_key(p.name), _key(p.codename)):
            found = p
    if found is None:
        raise InitError("init.unknown_province", value=query)
    city = found.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG
    name = nfc(found.name)
    short = name.removeprefix("Thành phố ")
    full = name if city else f"Tỉnh {short}"
    return Place(full, _english(short, city), city, f"{found.code.value:02d}")


def place(
    province_query: str | None, name_vi: str | None, name_en: str | None, city: bool | None = None
) -> Place:
    """``--province``, the names given (either overrides the province's), or an error."""
    base = province(province_query) if province_query else None
    for value in (name_vi, name_en):
        if value is not None and (len(value.strip()) < 2 or any(ord(ch) < 32 for ch in value)):
            raise InitError("init.bad_name", value=value)
    vi = nfc(name_vi.strip()) if name_vi else (base.name_vi if base else None)
    en = nfc(name_en.strip()) if name_en else (base.name_en if base else None)
    if vi is None or en is None:
        raise InitError("init.names_needed")
    if base is not None and not name_vi:
        is_city = base.city
    else:
        is_city = fold(vi).startswith("thanh pho")
    return Place(vi, en, is_city, base.code if base else None)


# ---------------------------------------------------------------------------------------------
# The options


@dataclass(frozen=True)
class Options:
    place: Place
    id: str
    base_url: str
    email: str
    default_language: str = "vi"
    deadline: dt.date = DEFAULT_DEADLINE
    citycat: str = f"citycat=={__version__}"  # what the CI files install


def options(
    where: Place,
    id: str | None = None,
    base_url: str | None = None,
    email: str | None = None,
    default_language: str = "vi",
    deadline: str | None = None,
    citycat: str | None = None,
) -> Options:
    """The options checked and completed: the id from the name, the e-mail from the address."""
    if id is None:
        id = f"{slugify(where.short_vi)}-shared-data"
    if not ID.match(id):
        raise InitError("init.bad_id", value=id)
    if not base_url:
        raise InitError("init.base_url_needed")
    url = base_url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname or parts.query:
        raise InitError("init.bad_base_url", value=base_url)
    url = url if url.endswith("/") else url + "/"
    if email is None:
        host = parts.hostname.removeprefix("dulieu.").removeprefix("data.")
        email = f"dulieu@{host}"
    if not EMAIL.match(email):
        raise InitError("init.bad_email", value=email)
    due = DEFAULT_DEADLINE
    if deadline is not None:
        due = read_date(deadline)  # 2026-12-31 or 31/12/2026
        if due is None:
            raise InitError("init.bad_deadline", value=deadline)
    if citycat is not None and (not citycat.strip() or any(ch in citycat for ch in "\"'\n\\")):
        raise InitError("init.bad_citycat", value=citycat)
    return Options(where, id, url, email, default_language, due, citycat or f"citycat=={__version__}")


# ---------------------------------------------------------------------------------------------
# The files


def _q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def settings_yaml(o: Options) -> str:
    p = o.place
    vi, en = p.name_vi, p.name_en
    short_en = "the City People's Committee" if p.city else "the Provincial People's Committee"
    return f"""# Cấu hình chung của Danh mục dữ liệu dùng chung {vi}.
# General settings of the {en} Shared Data Catalogue.
# Mỗi khóa có bản tiếng Việt (vi) và tiếng Anh (en). / Each text has a Vietnamese (vi) and an English (en) version.
# Tạo bởi 'citycat init'; kiểm tra lại từng giá trị. / Written by 'citycat init'; check every value.

id: {o.id}
title:
  vi: {_q(f"Danh mục dữ liệu dùng chung {vi}")}
  en: {_q(f"{en} Shared Data Catalogue")}
description:
  vi: {_q(f"Danh mục các bộ dữ liệu dùng chung, dữ liệu mở và dữ liệu dùng riêng của các cơ quan chuyên môn thuộc UBND {vi}, lập theo Luật Dữ liệu số 60/2024/QH15 và Nghị định 194/2025/NĐ-CP: ai quản lý dữ liệu, mức độ chia sẻ, tần suất cập nhật và cách kết nối.")}
  en: {_q(f"The list of shared, open and internal datasets held by the specialised agencies of the People's Committee of {en}, kept under the Data Law (Law 60/2024/QH15) and Decree 194/2025: who owns each dataset, how widely it may be shared, how often it is updated and how to connect to it.")}
base_url: {o.base_url}
languages:
  - vi
  - en
default_language: {o.default_language}

# Cơ quan điều phối danh mục / Coordinating agency (an id from agencies.yaml)
publisher: {PUBLISHER}

# Giấy phép của chính danh mục (siêu dữ liệu), mã trong licences.yaml
# Licence of the catalogue's own metadata (an id from licences.yaml)
licence: cc-by

# Hạn công bố danh mục dữ liệu dùng chung / Date by which the shared data list must be published
deadline: {o.deadline.isoformat()}
timezone: Asia/Ho_Chi_Minh

# Thông báo hiển thị trên mọi trang, sau chữ "Dự thảo:"; xóa cả khối khi danh mục được phê duyệt.
# Notice shown on every page after "Draft:"; remove the whole block once the catalogue is approved.
draft_notice:
  vi: "Danh mục đang được lập và chưa phải danh mục chính thức. Mỗi mục chờ cơ quan chủ quản xác nhận."
  en: "This catalogue is being compiled and is not yet the official list. Each entry awaits confirmation by its owning agency."
contact_email: {o.email}

# Bản chính thức (citycat release): đầu văn bản của Phụ lục kèm theo quyết định.
# Official editions (citycat release): the heading of the annex that goes with the decision.
edition:
  issuer:
    vi: {_q(f"ỦY BAN NHÂN DÂN {vi.upper()}")}
    en: {_q(f"{en.upper()} PEOPLE'S COMMITTEE")}
  issuer_short:
    vi: {_q(f"UBND {p.unit_vi}")}
    en: {_q(short_en)}
  title:
    vi: {_q(f"DANH MỤC DỮ LIỆU DÙNG CHUNG CỦA {vi.upper()}")}
    en: {_q(f"THE SHARED DATA LIST OF {en.upper()}")}
"""


def agencies_yaml(o: Options) -> str:
    return f"""# Danh sách cơ quan chủ quản dữ liệu / Agencies that own datasets in the catalogue.
# id: mã định danh không dấu, không đổi / stable ASCII identifier, never changed.
# abbreviation: tên viết tắt (SYT, SCT…) / official abbreviation.
# kind: loại cơ quan, xem agency_kinds trong vocabularies.yaml / an id from agency_kinds.
#
# Thêm mỗi cơ quan của {o.place.name_vi} theo mẫu (bỏ dấu # ở đầu dòng):
# Add each agency of {o.place.name_en} like this (remove the # at the start of each line):
#
#  - id: so-y-te
#    abbreviation: SYT
#    name:
#      vi: "Sở Y tế"
#      en: "Department of Health"
#    kind: department
#    website: https://soyte.example.gov.vn
#    email: soyte@example.gov.vn

agencies:
  # Cơ quan điều phối danh mục (publisher trong settings.yaml); thêm website và email.
  # The coordinating agency (publisher in settings.yaml); add its website and email.
  - id: {PUBLISHER}
    abbreviation: SKHCN
    name:
      vi: "Sở Khoa học và Công nghệ"
      en: "Department of Science and Technology"
    kind: department
"""


def datasets_yaml(o: Options, header: str) -> str:
    """An empty list under the standard header: its title for this place, the how-to kept."""
    rule = "# " + "=" * 77
    how = header[header.index("# CÁCH THÊM") :]
    how = how[: how.index("#\n# Mã tham chiếu")] if "#\n# Mã tham chiếu" in how else how
    unit = "Thành phố" if o.place.city else "Tỉnh"
    return f"""# yaml-language-server: $schema=schemas/editor/datasets.schema.json
{rule}
# DANH MỤC DỮ LIỆU DÙNG CHUNG {o.place.name_vi.upper()} — tệp danh sách bộ dữ liệu
# {o.place.name_en.upper()} SHARED DATA CATALOGUE — the list of datasets
{rule}
#
# Tệp này liệt kê từng bộ dữ liệu của các cơ quan {unit}: ai quản lý, mức độ
# chia sẻ (mở / dùng chung / dùng riêng), tần suất cập nhật, hạn công bố và cách
# kết nối. Mỗi mục chờ cơ quan chủ quản xác nhận.
#
# This file lists every dataset held by the agencies of {o.place.name_en}: who owns
# it, how widely it may be shared (open / shared / internal), how often it is
# updated, when it is due and how to connect to it. Each entry awaits
# confirmation by its owning agency.
#
{how}{rule}

datasets: []
"""


def readme(o: Options) -> str:
    vi, en = o.place.name_vi, o.place.name_en
    return f"""# Danh mục dữ liệu dùng chung {vi} / {en} Shared Data Catalogue

Danh sách các bộ dữ liệu của các cơ quan {vi}: ai quản lý, mức độ chia sẻ, tần suất cập nhật,
hạn công bố và cách kết nối, lập theo Luật Dữ liệu số 60/2024/QH15 và Nghị định 194/2025/NĐ-CP.
Trang công bố: <{o.base_url}>.

The list of datasets held by the agencies of {en}: who owns each one, how widely it may be shared,
how often it is updated, when it is due and how to connect to it. Published at <{o.base_url}>.

## Các tệp / The files

| tệp / file | nội dung / what it holds |
| --- | --- |
| `datasets.yaml` | danh sách bộ dữ liệu / the list of datasets |
| `catalogue/settings.yaml` | tên, địa chỉ, hạn công bố / the catalogue's name, address, deadline |
| `catalogue/agencies.yaml` | các cơ quan chủ quản / the agencies that own datasets |
| `catalogue/*.yaml` | lĩnh vực, giấy phép, bộ mã / themes, licences, code lists |
| `schemas/` | lược đồ bảng (Table Schema) / the Table Schemas every entry is checked against |
| `site/` | giao diện trang công bố / the published site's theme |

## Cách dùng / How to use it

Cài citycat / install citycat: `pip install "{o.citycat}"` (như CI / as the CI does), rồi / then:

```sh
citycat new          # thêm một bộ dữ liệu / add a dataset
citycat validate     # kiểm tra / check every entry
citycat build --out public   # dựng trang / build the site
citycat serve        # xem trước tại / preview at http://127.0.0.1:8000/
```

Cách đóng góp / How to contribute: [CONTRIBUTING.md](CONTRIBUTING.md). Các trường và giá trị cho
phép / every field and its allowed values: [docs/fields.md](docs/fields.md).
"""


def _ci(text: str, o: Options) -> str:
    """The repository's CI file for a catalogue repository elsewhere: citycat installed, not built."""
    drop = ("This repository holds citycat itself", "# CITYCAT:", "tests/test_workflows.py")
    lines = [line for line in text.splitlines(keepends=True) if not any(d in line for d in drop)]
    text = "".join(lines).replace(" in Hanoi", " in Vietnam")  # the schedule's comment: UTC+7
    return re.sub(
        r'^(\s*)CITYCAT: "\."[^\n]*$',
        lambda m: f"{m.group(1)}CITYCAT: {_q(o.citycat)} # citycat, as pip installs it",
        text,
        flags=re.M,
    )


# A province's words where the standard registers and UI strings speak of the city
PROVINCE_WORDS = (
    ("Thành phố", "Tỉnh"),
    ("City People's Committee", "Provincial People's Committee"),
    ("the city's", "the province's"),
    ("The city's", "The province's"),
    ("City themes", "Province themes"),
)
WORDED = ("catalogue/themes.yaml", "catalogue/licences.yaml", "catalogue/vocabularies.yaml")
WORDED += ("site/i18n/vi.yaml", "site/i18n/en.yaml", "schemas/shared/fields.json")


def _adapt(stored: str, data: bytes, o: Options) -> bytes:
    """A standard file made this place's: its own address and name where the file has Hanoi's,
    and a province's words where it speaks of the city."""
    data = _adapt_names(stored, data, o)
    if stored in WORDED and not o.place.city:
        text = data.decode("utf-8")
        for city, province in PROVINCE_WORDS:
            text = text.replace(city, province)
        data = text.encode("utf-8")
    return data


def _adapt_names(stored: str, data: bytes, o: Options) -> bytes:
    p = o.place
    if stored == "catalogue/licences.yaml":
        return data.replace(HANOI_URL.encode(), o.base_url.encode())
    if stored == "schemas/shared/fields.json":
        text = data.decode("utf-8")
        text = text.replace(
            "theo danh mục 126 xã, phường của Hà Nội", f"theo danh mục xã, phường của {p.name_vi}"
        )
        code = f"{p.short_vi} là {p.code}" if p.code else f"{p.short_vi}: theo danh mục đơn vị hành chính"
        return text.replace("Hà Nội là 01", code).encode("utf-8")
    if stored in ("site/i18n/vi.yaml", "site/i18n/en.yaml"):
        vi = stored.endswith("vi.yaml")
        words = {
            "spatial_city": f"Toàn {p.name_vi}" if vi else f"The whole of {p.name_en}",
            "annex_title": f"Danh mục dữ liệu dùng chung của {p.name_vi}"
            if vi
            else f"List of shared data of {p.name_en}",
        }
        text = data.decode("utf-8")
        for key, value in words.items():
            text = re.sub(
                rf"^{key}: .*$", lambda _m, k=key, v=value: f"{k}: {_q(v)}", text, count=1, flags=re.M
            )
        return text.encode("utf-8")
    if stored.startswith("github/") or stored == "gitlab-ci.yml":
        return _ci(data.decode("utf-8"), o).encode("utf-8")
    return data


def files(o: Options) -> dict[str, bytes]:
    """Every file of the new repository but those generated from the loaded catalogue."""
    from citycat.init import packaged

    template = packaged.stored()
    out: dict[str, bytes] = {}
    for stored, data in template.items():
        if stored == "datasets-header.yaml":
            continue
        out[_target(stored)] = _adapt(stored, data, o)
    header = template["datasets-header.yaml"].decode("utf-8")
    out["datasets.yaml"] = datasets_yaml(o, header).encode("utf-8")
    out["catalogue/settings.yaml"] = settings_yaml(o).encode("utf-8")
    out["catalogue/agencies.yaml"] = agencies_yaml(o).encode("utf-8")
    out["README.md"] = readme(o).encode("utf-8")
    # (and what a killed run leaves beside the files it replaces: citycat.pipeline.output)
    out[".gitignore"] = b"public/\n.citycat-cache/\n.*.tmp\n.*.new-*/\n.*.old-*/\n.citycat-writing.json\n"
    return dict(sorted(out.items()))


def _target(stored: str) -> str:
    from citycat.init import packaged

    for prefix, repo in packaged.TARGETS.items():
        if stored == prefix:
            return repo
        if stored.startswith(prefix + "/"):
            return repo + stored[len(prefix) :]
    raise KeyError(stored)


def generated(root: Path) -> dict[str, bytes]:
    """What is generated from the catalogue written at ``root``: the editor schema and the
    reference of every field (both list the registers' codes)."""
    from citycat.checks.docs import fields_markdown
    from citycat.feeds.editorschema import PATH, render
    from citycat.source.load import load

    c = load(root).catalogue
    return {PATH: render(c), "docs/fields.md": fields_markdown(c.meta, c.register_lists).encode("utf-8")}


# ---------------------------------------------------------------------------------------------
# Writing


def check_target(target: Path) -> None:
    """A target that can be written: absent, or an empty folder."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InitError("init.not_a_folder", path=target)
    if target.is_dir() and any(target.iterdir()):
        raise InitError("init.not_empty", path=target)


def create(target: Path, o: Options) -> list[str]:
    """Write the new catalogue into ``target`` (absent or empty), all or nothing; the files written."""
    target = Path(os.path.abspath(target))
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".init"))
    except OSError as exc:
        raise InitError("init.cannot_write", path=target, problem=exc.strerror or str(exc)) from None
    try:
        written = _fill(tmp, files(o))
        written += _fill(tmp, generated(tmp))
        os.chmod(tmp, 0o755)
        check_target(target)  # (still empty: nothing came in meanwhile)
        if target.is_dir():
            target.rmdir()
        os.rename(tmp, target)
    except OSError as exc:
        raise InitError("init.cannot_write", path=target, problem=exc.strerror or str(exc)) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(written)


def _fill(folder: Path, items: Mapping[str, bytes]) -> list[str]:
    for rel, data in items.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(items)
