"""The one writer of citycat's outputs: files whole or not at all, never outside their folder.

- ``write_atomic(path, data)`` / ``write_all_atomic(items)``: one file (or several, all renamed
  into place only once every one is written) through a temporary file beside it and a rename.
  ``citycat export``, ``report --out``, ``fmt``, ``import`` and ``check-links`` write this way.
- ``fill(folder, files)``: a new site's files into an empty folder (a feed's second copy of the
  same bytes hard-linked to the first); ``swap_in(fill, out)`` makes that folder beside ``out``
  and renames it into place, so a failed build leaves the last good site.
- ``write_changed(folder, files, known)``: into a live site, each file whose bytes changed
  replaced atomically (a reader sees the old content or the new, never half).

Containment is checked on the path's text (``os.path.normpath`` and a prefix test): the output
folder is citycat's own, and resolving every path on disk was a tenth of a large build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

MARKER = ".citycat-build"  # in every output folder citycat wrote, and only there
FILE_MODE = 0o644  # every file citycat writes: readable by all, whatever the umask or the old file
FOLDER_MODE = 0o755


def make_dirs(folder: Path | str) -> None:
    """``folder`` and its missing parents, each made 0755 (not as the umask says)."""
    missing = []
    path = Path(folder)
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        path.chmod(FOLDER_MODE)


class OutsideFolder(OSError):
    """A file's path leads outside the folder it is written into."""


def inside(folder: str, rel: str) -> str:
    """The path of ``rel`` below ``folder`` (an absolute, normalised path); refused when it
    leads elsewhere (``..``, an absolute ``rel``)."""
    path = os.path.normpath(os.path.join(folder, rel))
    if not path.startswith(folder + os.sep):
        raise OutsideFolder(f"refused to write outside the output folder: {rel}")
    return path


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# ---------------------------------------------------------------------------------------------
# Single files


def write_all_atomic(items: Iterable[tuple[Path, bytes]], make_folders: bool = True) -> None:
    """Write every file, each beside itself first, then rename them all into place in the given
    order (their folders made first, unless ``make_folders`` is false: then a missing folder is
    an error). Every file is readable by all (0644), folders 0755, whatever was there before."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            path = Path(path)
            if make_folders:
                make_dirs(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)  # mkstemp makes it 0600
                fh.write(data)
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes, make_folders: bool = True) -> None:
    """Write a whole file or nothing: a temporary file beside it, then renamed over it."""
    write_all_atomic([(path, data)], make_folders)


# ---------------------------------------------------------------------------------------------
# A site's files


def fill(folder: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Write ``files`` (path below ``folder``, content) into a folder being made; returns how
    many."""
    count = 0
    root = os.path.abspath(folder)
    made: set[str] = set()
    for rel, data in files:
        path = inside(root, rel)
        parent = os.path.dirname(path)
        if parent not in made:
            make_dirs(parent)
            made.add(parent)
        with open(path, "wb") as fh:
            os.fchmod(fh.fileno(), FILE_MODE)  # not as the umask says
            fh.write(data)
        count += 1
    return count


def replace_file(folder: Path, rel: str, data: bytes) -> None:
    """Write one file of a live site so that a reader sees the old content or the new, never
    half."""
    root = os.path.abspath(folder)
    path = inside(root, rel)
    make_dirs(os.path.dirname(path))
    tmp = os.path.join(
        os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.{threading.get_ident()}.tmp"
    )
    try:
        with open(tmp, "wb") as fh:
            os.fchmod(fh.fileno(), FILE_MODE)
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_changed(
    folder: Path, files: Iterable[tuple[str, bytes]], known: dict[str, bytes]
) -> dict[str, bytes]:
    """Replace the files whose bytes differ from what ``known`` (digests by path) says is
    there; return the digests of every file given (those unchanged too)."""
    digests: dict[str, bytes] = {}
    for rel, data in files:
        d = digests[rel] = digest(data)
        if known.get(rel) != d:
            replace_file(folder, rel, data)
    return digests


def remove(folder: Path, rels: Iterable[str], prune: bool = False) -> int:
    """Delete these files of the site (those that exist); with ``prune``, their folders too
    (up to ``folder``) when left empty. Returns how many were deleted."""
    root = os.path.abspath(folder)
    count = 0
    for rel in rels:
        path = inside(root, rel)
        if os.path.isfile(path):
            os.unlink(path)
            count += 1
            folder_of = os.path.dirname(path)
            while prune and folder_of != root:  # its folders, as far up as they are left empty
                try:
                    os.rmdir(folder_of)
                except OSError:
                    break
                folder_of = os.path.dirname(folder_of)
    return count


# ---------------------------------------------------------------------------------------------
# A whole site, swapped in


def swap_in(make: Callable[[Path], int], out: Path) -> int:
    """Let ``make(folder)`` write the site into a new folder beside ``out``, then swap it in.

    Any failure leaves ``out`` as it was.
    """
    out = out.resolve()
    make_dirs(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        count = make(tmp)
        (tmp / MARKER).write_text("written by citycat build\n", "utf-8")
        tmp.chmod(FOLDER_MODE)
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))  # unique: the last
        old.rmdir()  # one may still be being deleted (a rebuild in ``citycat serve`` comes quickly)
        if out.exists():
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            if old.exists():
                os.replace(old, out)  # put the last good site back
            raise
        _remove_later(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count


def _remove_later(folder: Path) -> None:
    """Delete the replaced site without waiting (20,000 files take seconds to delete): the new
    site is already in place. Where ``rm`` is missing, delete it now."""
    if not folder.exists():
        return
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    import subprocess

    subprocess.Popen(
        [rm, "-rf", "--", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
