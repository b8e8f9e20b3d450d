"""Paths and files that come from pull requests: they must stay inside the catalogue repository.

Every file citycat reads from a catalogue's repository (``datasets.yaml``, the registers, the
settings, the schemas, samples, the theme's templates, strings and static files, the link and
edition files) is opened through ``read`` (or checked by ``contained`` when another library
opens it), which follows the rule of docs/security.md, "The repository's own files":

- a path, symlinks followed, must lead to a regular file inside the repository: a symlink
  within it is fine, one that leads out (``catalogue/agencies.yaml → /proc/self/environ``) is
  refused with ``Outside``, and nothing of what it points to is read;
- a file larger than its cap (``LIMITS``) is refused with ``TooLarge`` before it is read (its
  size on disk), and read at most one byte past the cap (a file that grows, or a size the system
  does not know), so a huge input never reaches memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MB = 1024 * 1024
DATASETS_CAP = 50 * MB  # 10,000 real-looking entries weigh 24.6 MB (bench/generate.py)
REGISTER_CAP = 5 * MB  # the registers of catalogue/ (the largest today: 8 KB)
FILE_CAP = 100 * MB  # any other file (schemas, samples' heads, templates, static files)
# the cap of each file, by its path from the repository's root; else FILE_CAP
LIMITS = {"datasets.yaml": DATASETS_CAP}
REGISTERS = "catalogue/"


def megabytes(size: int) -> str:
    """A size for people: "51.2 MB" (one decimal, the same in both languages)."""
    return f"{size / MB:.1f} MB"


def cap_of(rel: str) -> int:
    if rel in LIMITS:
        return LIMITS[rel]
    if rel.startswith(REGISTERS) and rel.endswith((".yaml", ".yml")):
        return REGISTER_CAP
    return FILE_CAP


class Refused(OSError):
    """A file of the repository citycat does not read; ``rel`` names it from the root."""

    def __init__(self, rel: str, why: str):
        super().__init__(why)
        self.rel = rel


class Outside(Refused):
    """The path leads outside the repository (through a symlink, or ``..``)."""

    def __init__(self, rel: str):
        super().__init__(rel, "leads outside the repository")

    def __reduce__(self):  # (raised in a forked process, it comes back whole)
        return type(self), (self.rel,)


class NotAFile(Refused):
    """The path leads to something that is not a regular file (a folder, a device, a pipe)."""

    def __init__(self, rel: str):
        super().__init__(rel, "not a regular file")

    def __reduce__(self):
        return type(self), (self.rel,)


class TooLarge(Refused):
    """The file is larger than its cap (``size`` and ``cap`` in bytes)."""

    def __init__(self, rel: str, size: int, cap: int):
        super().__init__(rel, "larger than its cap")
        self.size, self.cap = size, cap

    def __reduce__(self):
        return type(self), (self.rel, self.size, self.cap)


def words(exc: Refused) -> tuple[str, str]:
    """Why ``exc``'s file was refused, in Vietnamese and English (for the commands that edit
    files; ``validate`` and ``build`` say it as a finding: ``citycat.source.yamlsafe.refusal``)."""
    if isinstance(exc, TooLarge):
        size, cap = megabytes(exc.size), megabytes(exc.cap)
        return (
            f"{exc.rel} nặng {size}, quá giới hạn {cap} citycat đọc cho tệp này.",
            f"{exc.rel} is {size}, over the {cap} citycat reads for this file.",
        )
    if isinstance(exc, Outside):
        return (
            f"{exc.rel} là một liên kết (symlink) trỏ ra ngoài kho danh mục; citycat không đọc nó.",
            f"{exc.rel} is a symbolic link that leads outside the catalogue repository; citycat does not read it.",
        )
    return (f"{exc.rel} không phải một tệp thông thường.", f"{exc.rel} is not a regular file.")


def inside(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names under ``root``, or None when it would leave ``root``."""
    if not relative or relative.startswith(("/", "\\")) or "\\" in relative or ":" in relative:
        return None
    path = (root / relative).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return None
    return path


def name_of(root: Path, path: Path) -> str:
    """How findings name ``path``: its path from ``root`` as written (symlinks not followed)."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
    except ValueError:
        return str(path)


def contained(root: Path, path: Path | str) -> Path:
    """The real path of ``path`` (symlinks followed; a folder or a file, which need not exist);
    ``Outside`` when it leads outside ``root``."""
    path = Path(path)
    if not path.is_absolute():
        path = Path(root) / path
    real = path.resolve()
    try:
        real.relative_to(Path(root).resolve())
    except ValueError:
        raise Outside(name_of(root, path)) from None
    return real


def leads_outside(root: Path, path: Path | str) -> bool:
    try:
        contained(root, path)
    except Outside:
        return True
    return False


def read(root: Path, path: Path | str, cap: int | None = None) -> bytes:
    """The bytes of the file ``path`` of the repository at ``root``, under the rule above.

    Raises ``Outside``, ``NotAFile``, ``TooLarge`` (all ``Refused``, an OSError), or the
    OSError of the system (FileNotFoundError for a missing file, a dangling symlink inside)."""
    rel = name_of(root, Path(root) / path)
    real = contained(root, path)
    limit = cap_of(rel) if cap is None else cap
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(rel)
        if st.st_size > limit:
            raise TooLarge(rel, st.st_size, limit)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 4 * MB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise TooLarge(rel, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(root: Path, path: Path | str, cap: int | None = None) -> str:
    return read(root, path, cap).decode("utf-8")


def is_file(root: Path, path: Path | str) -> bool:
    """Whether ``path`` is a regular file inside the repository (a symlink leading out is not)."""
    try:
        return contained(root, path).is_file()
    except Outside:
        return False
