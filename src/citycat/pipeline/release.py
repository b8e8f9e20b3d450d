"""``citycat release``: freeze the catalogue as it stands at a commit into ``editions/<date>/``.

The catalogue is checked first (an edition is never made of a catalogue with errors). The previous
edition is the newest folder of ``--out`` dated before this one; the new one takes the next
number. The files are made in memory (``citycat.edition.release``), written into a new folder
beside the target and renamed into place: an edition is there whole or not at all. An edition
that already exists is left alone when the new files are the same bytes, and refused otherwise (an
issued edition does not change; ``--replace`` is for a draft).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citycat.edition import paged
from citycat.edition import release as edition
from citycat.edition.annex import Meta, annex, missing_settings
from citycat.model.findings import Finding
from citycat.pipeline.executor import Forked
from citycat.pipeline.validate import validate
from citycat.site import i18n
from citycat.source import inputs

MAX_PREVIOUS_BYTES = 200 * 1024 * 1024  # the previous edition's datasets.json, read whole


class ReleaseError(Exception):
    """The edition cannot be made as asked; the words say why in both languages."""

    def __init__(self, en: str, vi: str, findings: tuple[Finding, ...] = ()):
        super().__init__(en)
        self.words = {"en": en, "vi": vi}
        self.findings = findings

    def text(self, lang: str) -> str:
        return self.words.get(lang, self.words["en"])


@dataclass(frozen=True)
class Released:
    folder: Path
    files: dict[str, bytes]
    number: int
    previous: str | None
    commit: str | None
    unchanged: bool  # the edition was there already, the same bytes


def git_commit(root: Path) -> tuple[str | None, bool]:
    """The commit the catalogue is at and whether its inputs differ from it (``None``: not a git
    repository)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if head.returncode != 0:
            return None, False
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", *inputs.BUILD],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None, False
    return head.stdout.strip(), bool(status.stdout.strip())


def _is_date(name: str) -> bool:
    try:
        return dt.date.fromisoformat(name).isoformat() == name
    except ValueError:
        return False


def previous_edition(out: Path, date: dt.date) -> dict[str, Any] | None:
    """The newest edition in ``out`` dated before ``date``: its manifest and its entries."""
    if not out.is_dir():
        return None
    dated = sorted(
        (p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and _is_date(p.name)),
        key=lambda p: p.name,
    )
    before = [p for p in dated if p.name < date.isoformat()]
    if not before:
        return None
    folder = before[-1]
    try:
        manifest = json.loads(_read(folder / edition.MANIFEST))
        entries = json.loads(_read(folder / edition.DATASETS))
    except (OSError, ValueError) as exc:
        raise ReleaseError(
            f"the previous edition {folder} cannot be read ({exc}): the changelog needs it",
            f"không đọc được bản trước {folder} ({exc}): cần nó để lập danh sách thay đổi",
        ) from None
    if (
        not isinstance(manifest, dict)
        or not isinstance(entries, list)
        or not isinstance(manifest.get("number"), int)
    ):
        raise ReleaseError(
            f"the previous edition {folder} is not an edition citycat wrote",
            f"bản trước {folder} không phải bản do citycat lập",
        )
    return {"edition": manifest, "datasets": entries, "folder": folder}


def _read(path: Path) -> bytes:
    if path.is_symlink() or not path.is_file():
        raise OSError(f"{path.name}: not a regular file")
    if path.stat().st_size > MAX_PREVIOUS_BYTES:
        raise OSError(f"{path.name}: larger than {MAX_PREVIOUS_BYTES} bytes")
    return path.read_bytes()


def release(
    root: Path,
    out: Path,
    date: dt.date,
    decision: str,
    signed: dt.date | None = None,
    today: dt.date | None = None,
    replace: bool = False,
    allow_uncommitted: bool = False,
    workers: int | None = None,
) -> Released:
    root = root.resolve()
    out = out if out.is_absolute() else root / out
    decision = decision.strip()
    if not decision or len(decision) > 100 or any(ch in decision for ch in "\r\n\t"):
        raise ReleaseError(
            "--decision must be the decision's number on one line (at most 100 characters), e.g. 123/QĐ-UBND",
            "--decision phải là số quyết định trên một dòng (tối đa 100 ký tự), ví dụ 123/QĐ-UBND",
        )
    if signed is not None and signed > date:
        raise ReleaseError(
            f"--signed-date {signed} is after the edition's date {date}",
            f"--signed-date {signed} sau ngày của bản {date}",
        )
    commit, dirty = git_commit(root)
    if dirty and not allow_uncommitted:
        raise ReleaseError(
            "the catalogue has changes that are not committed: an edition is made from a commit "
            "(commit them, or --allow-uncommitted for a trial)",
            "danh mục có thay đổi chưa commit: bản chính thức được lập từ một commit "
            "(hãy commit, hoặc dùng --allow-uncommitted để thử)",
        )
    result = validate(root, today or date, use_cache=False, need_catalogue=True)
    if not result.ok() or result.catalogue is None:
        raise ReleaseError(
            "the catalogue has errors: fix them first (citycat validate)",
            "danh mục còn lỗi: hãy sửa trước (citycat validate)",
            tuple(result.errors()),
        )
    c = result.catalogue
    lacking = missing_settings(c)
    if lacking:
        keys = ", ".join(lacking)
        raise ReleaseError(
            f"catalogue/settings.yaml lacks what an edition's heading needs: {keys}",
            f"catalogue/settings.yaml thiếu thông tin cho phần đầu của bản chính thức: {keys}",
        )
    previous = previous_edition(out, date)
    number = previous["edition"]["number"] + 1 if previous else 1
    strings = i18n.load_strings(inputs.theme_for(root))
    meta = Meta(date=date, decision=decision, signed=signed, number=number)
    made = _made(c, meta, strings, previous, None if dirty else commit, workers)
    target = out / date.isoformat()
    prev_date = previous["edition"].get("date") if previous else None
    if target.exists():
        same = target.is_dir() and all(
            (target / name).is_file() and (target / name).read_bytes() == data for name, data in made.items()
        )
        if same:
            return Released(target, made, number, prev_date, commit, unchanged=True)
        if not replace:
            raise ReleaseError(
                f"{target} exists with other content: an issued edition does not change (--replace for a draft)",
                f"{target} đã có với nội dung khác: bản đã ban hành không sửa (--replace cho bản dự thảo)",
            )
    _write_folder(target, made)
    return Released(target, made, number, prev_date, commit, unchanged=False)


def _made(c, meta: Meta, strings, previous, commit, workers: int | None) -> dict[str, bytes]:
    """The edition's files; with more than one core the PDF (most of the time: WeasyPrint laying
    out every row) is printed on a forked process while this one writes the others. The same
    bytes either way (``tests/test_edition.py`` compares them)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1:
        return edition.files(c, meta, strings, previous, commit)
    paged.font_faces()  # a missing font is said here, not as a forked process's failure
    vi = annex(c, meta, strings["vi"], "vi")
    printing = Forked(lambda: edition.pdf(vi, strings["vi"]))
    try:
        return edition.files(c, meta, strings, previous, commit, printed=printing.result)
    except BaseException:
        printing.cancel()
        raise


def _write_folder(target: Path, files: dict[str, bytes]) -> None:
    """All the files or none: a new folder beside the target, renamed into place."""
    from citycat.pipeline.output import make_dirs

    make_dirs(target.parent)  # 0755, as every folder citycat makes
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
            (tmp / name).chmod(0o644)
        tmp.chmod(0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
