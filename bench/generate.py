"""Write a synthetic but valid catalogue of N datasets, for benchmarks.

    python bench/generate.py N OUTDIR [--safe-dump]

Copies ``catalogue/`` and ``schemas/catalogue/`` from the project root into OUTDIR and writes
OUTDIR/datasets.yaml with N entries of Vietnamese (and English) text. Every id, agency, theme,
licence and vocabulary code is drawn from the copied registers, so the result passes
``citycat validate`` with no errors (a few "overdue" warnings are expected and realistic).

The output is deterministic: the same N gives the same bytes (``random.Random(N)``).
By default the YAML is hand-formatted (quoted text, like the real file, and ~20x faster than
PyYAML's emitter); ``--safe-dump`` writes the same data with ``yaml.safe_dump`` instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# --- Word lists ------------------------------------------------------------------------------

# (vi, en)
PREFIXES = [
    ("Danh sách", "List of"),
    ("Cơ sở dữ liệu", "Database of"),
    ("Thống kê", "Statistics on"),
    ("Bản đồ", "Map of"),
    ("Sổ theo dõi", "Register of"),
    ("Báo cáo tổng hợp", "Summary report on"),
    ("Số liệu", "Figures on"),
    ("Hồ sơ", "Records of"),
]

# (vi, en, theme, owning agency, keyword vi, keyword en, formats)
SUBJECTS = [
    (
        "cơ sở khám bệnh, chữa bệnh",
        "health care facilities",
        "y-te",
        "so-y-te",
        "khám bệnh",
        "health care",
        "geo",
    ),
    ("nhà thuốc và quầy thuốc", "pharmacies", "y-te", "so-y-te", "dược phẩm", "pharmacy", "table"),
    ("điểm tiêm chủng", "vaccination sites", "y-te", "so-y-te", "tiêm chủng", "vaccination", "geo"),
    ("trường học", "schools", "giao-duc", "so-giao-duc-va-dao-tao", "trường học", "schools", "geo"),
    (
        "học sinh theo cấp học",
        "pupils by school level",
        "giao-duc",
        "so-giao-duc-va-dao-tao",
        "học sinh",
        "pupils",
        "table",
    ),
    (
        "trạm quan trắc chất lượng không khí",
        "air quality monitoring stations",
        "moi-truong",
        "so-nong-nghiep-va-moi-truong",
        "không khí",
        "air quality",
        "api",
    ),
    (
        "điểm thu gom rác thải sinh hoạt",
        "household waste collection points",
        "moi-truong",
        "so-nong-nghiep-va-moi-truong",
        "rác thải",
        "waste",
        "geo",
    ),
    (
        "thửa đất đã cấp giấy chứng nhận",
        "land parcels with a certificate",
        "dat-dai",
        "so-nong-nghiep-va-moi-truong",
        "đất đai",
        "land",
        "geo",
    ),
    (
        "hợp tác xã nông nghiệp",
        "agricultural cooperatives",
        "nong-nghiep",
        "so-nong-nghiep-va-moi-truong",
        "hợp tác xã",
        "cooperatives",
        "table",
    ),
    ("tuyến xe buýt", "bus routes", "giao-thong", "so-xay-dung", "xe buýt", "bus", "gtfs"),
    ("điểm trông giữ xe", "parking places", "giao-thong", "so-xay-dung", "bãi đỗ xe", "parking", "geo"),
    (
        "đèn tín hiệu giao thông",
        "traffic lights",
        "giao-thong",
        "so-xay-dung",
        "đèn tín hiệu",
        "traffic lights",
        "geo",
    ),
    (
        "cầu, hầm và đường phố",
        "bridges, tunnels and streets",
        "giao-thong",
        "so-xay-dung",
        "đường phố",
        "streets",
        "geo",
    ),
    (
        "doanh nghiệp đăng ký thành lập mới",
        "newly registered businesses",
        "kinh-te-doanh-nghiep",
        "so-tai-chinh",
        "doanh nghiệp",
        "businesses",
        "table",
    ),
    (
        "chợ truyền thống và siêu thị",
        "markets and supermarkets",
        "kinh-te-doanh-nghiep",
        "so-cong-thuong",
        "chợ",
        "markets",
        "geo",
    ),
    (
        "dự toán và quyết toán ngân sách",
        "budget estimates and final accounts",
        "tai-chinh-ngan-sach",
        "so-tai-chinh",
        "ngân sách",
        "budget",
        "table",
    ),
    (
        "đăng ký khai sinh, kết hôn",
        "birth and marriage registrations",
        "tu-phap-ho-tich",
        "so-tu-phap",
        "hộ tịch",
        "civil status",
        "table",
    ),
    (
        "di tích lịch sử – văn hóa",
        "historical and cultural relics",
        "van-hoa-du-lich",
        "so-van-hoa-va-the-thao",
        "di tích",
        "heritage",
        "geo",
    ),
    (
        "cơ sở lưu trú du lịch",
        "tourist accommodation",
        "van-hoa-du-lich",
        "so-du-lich",
        "lưu trú",
        "accommodation",
        "geo",
    ),
    (
        "thủ tục hành chính",
        "administrative procedures",
        "hanh-chinh-cong",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        "thủ tục",
        "procedures",
        "api",
    ),
    (
        "hồ sơ dịch vụ công trực tuyến",
        "online public service applications",
        "hanh-chinh-cong",
        "trung-tam-phuc-vu-hanh-chinh-cong",
        "dịch vụ công",
        "public services",
        "api",
    ),
    (
        "dân số theo độ tuổi và giới tính",
        "population by age and sex",
        "dan-cu",
        "cong-an-thanh-pho",
        "dân số",
        "population",
        "table",
    ),
    (
        "người lao động được giải quyết việc làm",
        "workers placed in jobs",
        "lao-dong-viec-lam",
        "so-noi-vu",
        "việc làm",
        "jobs",
        "table",
    ),
    (
        "tổ chức khoa học và công nghệ",
        "science and technology organisations",
        "khoa-hoc-cong-nghe",
        "so-khoa-hoc-va-cong-nghe",
        "khoa học",
        "science",
        "table",
    ),
    (
        "giấy phép xây dựng",
        "building permits",
        "xay-dung-quy-hoach",
        "so-xay-dung",
        "xây dựng",
        "construction",
        "table",
    ),
    (
        "đồ án quy hoạch chi tiết",
        "detailed planning projects",
        "xay-dung-quy-hoach",
        "so-quy-hoach-kien-truc",
        "quy hoạch",
        "urban planning",
        "geo",
    ),
    (
        "cơ sở tôn giáo, tín ngưỡng",
        "places of worship",
        "van-hoa-du-lich",
        "so-dan-toc-va-ton-giao",
        "tôn giáo",
        "religion",
        "geo",
    ),
    (
        "kết luận thanh tra",
        "inspection conclusions",
        "hanh-chinh-cong",
        "thanh-tra-thanh-pho",
        "thanh tra",
        "inspection",
        "doc",
    ),
]

# (vi, en, spatial code): wards (phường) and communes (xã) of Hanoi, and the whole city
PLACES = [
    ("phường Hoàn Kiếm", "Hoan Kiem ward", "00070"),
    ("phường Ba Đình", "Ba Dinh ward", "00004"),
    ("phường Đống Đa", "Dong Da ward", "00235"),
    ("phường Cầu Giấy", "Cau Giay ward", "00166"),
    ("phường Hai Bà Trưng", "Hai Ba Trung ward", "00256"),
    ("phường Hoàng Mai", "Hoang Mai ward", "00331"),
    ("phường Thanh Xuân", "Thanh Xuan ward", "00367"),
    ("phường Tây Hồ", "Tay Ho ward", "00103"),
    ("phường Long Biên", "Long Bien ward", "00145"),
    ("phường Hà Đông", "Ha Dong ward", "09552"),
    ("phường Sơn Tây", "Son Tay ward", "09574"),
    ("xã Sóc Sơn", "Soc Son commune", "08980"),
    ("xã Đông Anh", "Dong Anh commune", "09022"),
    ("xã Gia Lâm", "Gia Lam commune", "09247"),
    ("xã Mê Linh", "Me Linh commune", "08995"),
    ("xã Ba Vì", "Ba Vi commune", "09619"),
    ("xã Thạch Thất", "Thach That commune", "09955"),
    ("xã Chương Mỹ", "Chuong My commune", "10003"),
    ("xã Thường Tín", "Thuong Tin commune", "10183"),
    ("xã Ứng Hòa", "Ung Hoa commune", "10441"),
    ("xã Mỹ Đức", "My Duc commune", "10489"),
    ("toàn Thành phố Hà Nội", "the whole of Hanoi", "01"),
]

# (vi, en) columns a dataset holds
COLUMNS = [
    ("tên", "name"),
    ("địa chỉ", "address"),
    ("số điện thoại", "telephone"),
    ("tọa độ", "coordinates"),
    ("ngày cấp phép", "licence date"),
    ("người đại diện", "representative"),
    ("quy mô", "size"),
    ("tình trạng hoạt động", "operating status"),
    ("mã định danh", "identifier"),
    ("loại hình", "type"),
    ("giờ mở cửa", "opening hours"),
    ("số lượng", "count"),
]

PURPOSES = [
    ("phục vụ tra cứu của người dân và doanh nghiệp", "for residents and businesses to look things up"),
    ("phục vụ công tác quản lý nhà nước của Thành phố", "for the city's administration"),
    ("hỗ trợ lập kế hoạch và điều hành của UBND Thành phố", "to support the People's Committee's planning"),
    ("để kết nối với các cơ sở dữ liệu quốc gia", "to connect with the national databases"),
    ("phục vụ chuyển đổi số và chính quyền số Hà Nội", "for Hanoi's digital transformation"),
]

LEGAL_BASES = [
    "Điều 18 Luật Dữ liệu số 60/2024/QH15 (dữ liệu dùng chung giữa cơ quan nhà nước)",
    "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân",
    "Khoản 2 Điều 12 Nghị định 194/2025/NĐ-CP",
    "Luật Bảo vệ bí mật nhà nước số 29/2018/QH14",
    "Luật Cư trú số 68/2020/QH14 và Nghị định 13/2023/NĐ-CP",
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Thanh", "Hữu", "Ngọc", "Hồng"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hương",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
UNITS = [
    "Phòng Công nghệ thông tin",
    "Văn phòng",
    "Phòng Kế hoạch – Tài chính",
    "Trung tâm Thông tin dữ liệu",
]

# (vi, en) kinds of distribution
DIST_KINDS = {
    "CSV": ("Bảng dữ liệu", "Data table"),
    "XLSX": ("Bảng tính", "Spreadsheet"),
    "JSON": ("Dữ liệu JSON", "JSON data"),
    "GEOJSON": ("Bản đồ GeoJSON", "GeoJSON map"),
    "SHP": ("Bản đồ Shapefile", "Shapefile map"),
    "API": ("API tra cứu", "Lookup API"),
    "WMS": ("Dịch vụ bản đồ", "Map service"),
    "WFS": ("Dịch vụ đối tượng địa lý", "Feature service"),
    "GTFS": ("Lịch trình GTFS", "GTFS schedule"),
    "PDF": ("Báo cáo PDF", "PDF report"),
    "HTML": ("Trang tra cứu", "Look-up page"),
    "XML": ("Dữ liệu XML", "XML data"),
}
FORMAT_SETS = {
    "table": [["CSV", "XLSX"], ["CSV", "JSON"], ["CSV", "XLSX", "API"], ["XLSX", "PDF"]],
    "geo": [["CSV", "GEOJSON"], ["GEOJSON", "SHP", "WMS"], ["CSV", "GEOJSON", "WFS"], ["GEOJSON", "API"]],
    "api": [["API", "JSON"], ["API", "CSV"], ["API", "XML", "HTML"]],
    "gtfs": [["GTFS", "CSV"], ["GTFS", "GEOJSON", "API"]],
    "doc": [["PDF", "HTML"], ["PDF", "XLSX", "HTML"]],
}
SERVICE_FORMATS = {"API", "WMS", "WFS", "HTML"}  # reached through access_url, not downloaded


# --- Helpers ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d (as citycat compares titles and keywords)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.casefold()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _ids(path: Path, key: str) -> dict[str, dict]:
    doc = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {item["id"]: item for item in doc.get(key) or [] if isinstance(item, dict) and "id" in item}


def registers(root: Path) -> dict:
    cat = root / "catalogue"
    vocab = cat / "vocabularies.yaml"
    settings = yaml.safe_load((cat / "settings.yaml").read_text("utf-8"))
    return {
        "agencies": _ids(cat / "agencies.yaml", "agencies"),
        "themes": _ids(cat / "themes.yaml", "themes"),
        "licences": _ids(cat / "licences.yaml", "licences"),
        **{
            k: _ids(vocab, k)
            for k in (
                "access_levels",
                "data_classes",
                "statuses",
                "frequencies",
                "formats",
                "sharing_methods",
            )
        },
        "deadline": settings.get("deadline") or dt.date(2026, 12, 31),
    }


def _pick(rng: random.Random, wanted: str, ids) -> str:
    """``wanted`` when the register has it, else a random id of the register."""
    ids = list(ids)
    return wanted if wanted in ids else rng.choice(ids)


def _date_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randint(0, max(0, (b - a).days)))


# --- The generator ---------------------------------------------------------------------------

LAST_MODIFIED = dt.date(2026, 11, 1)


def datasets(n: int, reg: dict) -> list[dict]:
    rng = random.Random(n)
    agencies, themes, licences = reg["agencies"], reg["themes"], reg["licences"]
    formats, statuses, freqs = reg["formats"], reg["statuses"], reg["frequencies"]
    methods = list(reg["sharing_methods"])
    classes = list(reg["data_classes"])
    deadline: dt.date = reg["deadline"]
    open_licences = [k for k, v in licences.items() if v.get("open") is True]
    licence_weights = [8 if k == "cc-by" else 1 for k in open_licences]
    status_ids = [s for s in ("proposed", "confirmed") if s in statuses] or list(statuses)
    freq_ids = list(freqs)
    freq_weights = [
        {"daily": 3, "monthly": 4, "annually": 4, "quarterly": 2, "on_change": 2}.get(f, 1) for f in freq_ids
    ]
    open_access = _pick(rng, "open", reg["access_levels"])
    shared_access = _pick(rng, "shared", reg["access_levels"])
    # quarter-end due dates up to the deadline (the earliest ones are overdue on 2026-11-28: a warning)
    dues = sorted(
        {
            d
            for d in (
                dt.date(2026, 6, 30),
                dt.date(2026, 9, 30),
                dt.date(2026, 11, 30),
                dt.date(2026, 12, 15),
                deadline,
            )
            if d <= deadline
        }
    )
    due_weights = [1, 1, 4, 4, 10][-len(dues) :]

    seen_titles: set[str] = set()
    per_agency: dict[str, int] = {}
    out = []
    for i in range(1, n + 1):
        pv, pe = rng.choice(PREFIXES)
        sv, se, theme, owner, kwv, kwe, kind = rng.choice(SUBJECTS)
        place_v, place_e, code = rng.choice(PLACES)
        year = rng.randint(2019, 2026)
        agency = owner if owner in agencies and rng.random() < 0.85 else rng.choice(list(agencies))
        theme = _pick(rng, theme, themes)

        title_vi = (
            f"{pv} {sv} {'trên địa bàn ' if not place_v.startswith('toàn') else ''}{place_v} năm {year}"
        )
        title_en = f"{pe} {se} in {place_e}, {year}"
        k = 1
        while fold(title_vi) in seen_titles or fold(title_en) in seen_titles:
            k += 1
            title_vi = f"{pv} {sv} {place_v} năm {year} (đợt {k})"
            title_en = f"{pe} {se} in {place_e}, {year} (batch {k})"
        seen_titles.add(fold(title_vi))
        seen_titles.add(fold(title_en))

        cols = rng.sample(COLUMNS, rng.randint(3, 5))
        purpose_v, purpose_e = rng.choice(PURPOSES)
        freq = rng.choices(freq_ids, freq_weights)[0]
        fv = freqs[freq].get("label", {}).get("vi", freq).lower()
        fe = freqs[freq].get("label", {}).get("en", freq).lower()
        agency_v = agencies[agency].get("name", {}).get("vi", agency)
        agency_e = agencies[agency].get("name", {}).get("en", agency)
        desc_vi = (
            f"{pv} {sv} trên địa bàn {place_v}, Hà Nội, năm {year}: {', '.join(c[0] for c in cols)}. "
            f"Dữ liệu do {agency_v} thu thập và cập nhật {fv}, {purpose_v}."
        )
        desc_en = (
            f"{pe} {se} in {place_e}, Hanoi, for {year}: {', '.join(c[1] for c in cols)}. "
            f"Collected by the {agency_e} and updated {fe}, {purpose_e}."
        )

        shared = rng.random() < 0.2
        issued = _date_between(rng, dt.date(2018, 1, 1), dt.date(2026, 9, 1))
        modified = _date_between(rng, issued, LAST_MODIFIED)
        dataset_id = f"{slug(sv)[:60].rstrip('-')}-{i:05d}"
        abbr = str(agencies[agency].get("abbreviation") or "HN").upper()
        email = agencies[agency].get("email") or f"{slug(abbr)}@hanoi.gov.vn"
        per_agency[agency] = per_agency.get(agency, 0) + 1

        entry: dict = {"id": dataset_id}
        if per_agency[agency] <= 999 and re.fullmatch(r"[A-Z]+", abbr):
            entry["ref"] = f"HN-{abbr}-{per_agency[agency]:03d}"
        entry["title"] = {"vi": title_vi, "en": title_en}
        entry["description"] = {"vi": desc_vi, "en": desc_en}
        entry["agency"] = agency
        if rng.random() < 0.5:
            contact_name = f"{rng.choice(UNITS)}, {agency_v}"
        else:
            contact_name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        entry["contact"] = {"name": contact_name, "email": email}
        entry["themes"] = [theme] + (
            [t] if rng.random() < 0.2 and (t := rng.choice(list(themes))) != theme else []
        )
        kw_vi, kw_en = [kwv, "Hà Nội"], [kwe, "Hanoi"]
        if not place_v.startswith("toàn"):
            kw_vi.append(place_v.split(" ", 1)[1])
            kw_en.append(place_e.rsplit(" ", 1)[0])
        entry["keywords"] = {"vi": kw_vi, "en": kw_en}
        if shared:
            entry["access"] = shared_access
            entry["data_class"] = rng.choice(classes)
            entry["personal_data"] = rng.random() < 0.5
            entry["legal_basis"] = rng.choice(LEGAL_BASES)
        else:
            entry["access"] = open_access
            entry["data_class"] = rng.choice(classes)
            entry["personal_data"] = False
            entry["licence"] = rng.choices(open_licences, licence_weights)[0]
        entry["frequency"] = freq
        entry["status"] = rng.choice(status_ids)
        entry["due"] = rng.choices(dues, due_weights)[0]
        entry["issued"] = issued
        entry["modified"] = modified
        if rng.random() < 0.4:
            entry["temporal"] = {
                "start": dt.date(year, 1, 1),
                "end": min(dt.date(year, 12, 31), LAST_MODIFIED),
            }
        entry["landing_page"] = f"https://dulieu.hanoi.gov.vn/dataset/{dataset_id}"
        entry["spatial"] = [code]
        consumers = [a for a in rng.sample(list(agencies), min(len(agencies), 3)) if a != agency][
            : rng.randint(1, 3)
        ]
        entry["sharing"] = {
            "methods": rng.sample(methods, rng.randint(1, min(2, len(methods)))),
            "consumers": consumers,
        }

        fmt_ids = [f for f in rng.choice(FORMAT_SETS[kind]) if f in formats] or [rng.choice(list(formats))]
        dists = []
        for position, fmt in enumerate(fmt_ids[:3], 1):
            dv, de = DIST_KINDS.get(fmt, ("Tài nguyên", "Resource"))
            d: dict = {"title": {"vi": f"{dv} {sv} ({year})", "en": f"{de}: {se} ({year})"}, "format": fmt}
            media = formats[fmt].get("media_type")
            if media:
                d["media_type"] = media
            if fmt in SERVICE_FORMATS:
                d["access_url"] = f"https://api.hanoi.gov.vn/{agency}/v1/{dataset_id}" + (
                    f"/{fmt.lower()}" if fmt != "API" else ""
                )
            else:
                d["download_url"] = f"https://dulieu.hanoi.gov.vn/files/{dataset_id}/{position}.{fmt.lower()}"
                d["byte_size"] = rng.randint(2_000, 80_000_000)
            dists.append(d)
        if len(dists) < 2:  # every entry has 2-3 distributions: add a look-up page
            dists.append(
                {
                    "title": {"vi": f"Trang tra cứu {sv}", "en": f"Look-up page: {se}"},
                    "format": _pick(rng, "HTML", formats),
                    "access_url": f"https://dulieu.hanoi.gov.vn/dataset/{dataset_id}/tra-cuu",
                }
            )
        entry["distributions"] = dists
        out.append(entry)
    return out


# --- YAML writing ----------------------------------------------------------------------------

_PLAIN = re.compile(
    r"[A-Za-z][A-Za-z0-9_-]*|[a-z]+/[A-Za-z0-9.+-]+|https://[A-Za-z0-9._~/%-]+|[a-z0-9._-]+@[a-z0-9.-]+"
)
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if not isinstance(value, dt.date) else value.isoformat()
    s = str(value)
    if _PLAIN.fullmatch(s) and s.lower() not in _RESERVED:
        return s
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _emit(value, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{key}:")
                _emit(v, indent + 2, lines)
            else:
                lines.append(
                    f"{pad}{key}: {_scalar(v) if not isinstance(v, (dict, list)) else '{}' if isinstance(v, dict) else '[]'}"
                )
    else:
        for item in value:
            if isinstance(item, dict):
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- {sub[0][indent + 2 :]}"
                lines += sub
            else:
                lines.append(f"{pad}- {_scalar(item)}")


class _NoAliasDumper(yaml.SafeDumper):
    """yaml.safe_dump would write a date object used twice as &anchor / *alias, which citycat refuses."""

    def ignore_aliases(self, data) -> bool:
        return True


def to_yaml(entries: list[dict]) -> str:
    lines = [
        "# Danh mục tổng hợp cho kiểm thử hiệu năng (bench/generate.py) — không phải dữ liệu thật.",
        "# Synthetic catalogue for benchmarks (bench/generate.py) - not real data.",
        "datasets:",
    ]
    for entry in entries:
        lines.append("")
        _emit([entry], 2, lines)
    return "\n".join(lines) + "\n"


def generate(n: int, outdir: Path, safe_dump: bool = False, root: Path = ROOT) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    for rel in ("catalogue", "schemas/catalogue"):
        target = outdir / rel
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / rel, target)
    entries = datasets(n, registers(outdir))
    if safe_dump:
        text = yaml.dump(
            {"datasets": entries}, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=120
        )
    else:
        text = to_yaml(entries)
    path = outdir / "datasets.yaml"
    path.write_text(text, "utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of datasets")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--safe-dump", action="store_true", help="write with yaml.safe_dump (slower)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    path = generate(args.n, args.outdir, args.safe_dump)
    print(f"{path}: {args.n} datasets, {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
