"""The one writer of citycat's outputs: files whole or not at all, never outside their folder.

- ``write_atomic(path, data)`` / ``write_all_atomic(items)``: one file (or several, all renamed
  into place only once every one is written) through a temporary file beside it and a rename.
  ``citycat export``, ``report --out``, ``fmt``, ``import`` and ``check-links`` write this way.
- ``fill(folder, files)``: a new site's files into an empty folder (a feed's second copy of the
  same bytes hard-linked to the first); ``swap_in(fill, out)`` makes that folder beside ``out``
  and exchanges it with ``out`` in one step, so a failed build leaves the last good site and a
  reader never finds the folder missing. What killed runs leave (temporary files and folders
  named with their process id) is removed by the next run.
- ``write_changed(folder, files, known)``: into a live site, each file whose bytes changed
  replaced atomically (a reader sees the old content or the new, never half).

Containment is checked on the path's text (``os.path.normpath`` and a prefix test): the output
folder is citycat's own, and resolving every path on disk was a tenth of a large build.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import sys
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


JOURNAL = ".citycat-writing.json"  # the renames a write of several files is doing (see below)


def write_all_atomic(
    items: Iterable[tuple[Path, bytes]], make_folders: bool = True, journal: Path | None = None
) -> None:
    """Write every file, each beside itself first, then rename them all into place in the given
    order (their folders made first, unless ``make_folders`` is false: then a missing folder is
    an error). Every file is readable by all (0644), folders 0755, whatever was there before.

    With a ``journal`` (a file beside the catalogue's root), the renames about to be made are
    written there first and it is deleted after the last one: a run killed between two renames
    leaves it, and ``finish_interrupted`` makes the rest (every file was whole before the first
    rename), so the files end all new, never part new and part old."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            path = Path(path)
            if make_folders:
                make_dirs(path.parent)
            remove_leftovers(path)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)  # mkstemp makes it 0600
                fh.write(data)
        if journal is not None and len(temps) > 1:
            base = journal.parent
            pairs = [[os.path.relpath(tmp, base), os.path.relpath(path, base)] for tmp, path in temps]
            write_atomic(journal, json.dumps(pairs).encode("utf-8"))
        for tmp, path in temps:
            os.replace(tmp, path)
        if journal is not None:
            journal.unlink(missing_ok=True)
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)


def finish_interrupted(journal: Path) -> list[str]:
    """The renames a killed ``write_all_atomic`` left undone, made now; the files they complete.

    The journal may come by pull request too: only a rename of ``.NAME.PID.….tmp`` onto NAME in
    the same folder, inside the journal's folder, is made; anything else is ignored."""
    try:
        pairs = json.loads(journal.read_bytes())
    except (OSError, ValueError):
        return []
    base = journal.parent
    done: list[str] = []
    for pair in pairs if isinstance(pairs, list) else ():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            continue
        tmp, final = (os.path.normpath(p) for p in pair)
        if tmp.startswith(("..", "/")) or final.startswith(("..", "/")):
            continue
        same_folder = os.path.dirname(tmp) == os.path.dirname(final)
        name = os.path.basename(final)
        if not (same_folder and os.path.basename(tmp).startswith(f".{name}.") and tmp.endswith(".tmp")):
            continue
        if os.path.isfile(base / tmp) and not os.path.islink(base / tmp):
            os.replace(base / tmp, base / final)
            done.append(final)
    journal.unlink(missing_ok=True)
    return done


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

    The swap is one step where the system can (Linux: ``renameat2`` with ``RENAME_EXCHANGE``
    exchanges the two folders, so ``out`` always exists and a reader sees the old site or the
    new one); elsewhere two renames, and a run killed between them is repaired by the next
    (``recover``). Any failure leaves ``out`` as it was. The folders of runs killed before
    (``.NAME.new-PID-…``, ``.NAME.old-PID-…`` of a process that no longer runs) are deleted.
    """
    out = out.resolve()
    make_dirs(out.parent)
    recover(out)
    pid = os.getpid()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{pid}-", dir=out.parent))
    try:
        count = make(tmp)
        (tmp / MARKER).write_text("written by citycat build\n", "utf-8")
        tmp.chmod(FOLDER_MODE)
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{pid}-", dir=out.parent))  # unique: the
        old.rmdir()  # last one may still be being deleted (a rebuild in ``citycat serve`` comes quickly)
        if out.is_dir() and not out.is_symlink() and exchange(tmp, out):
            os.replace(tmp, old)  # it holds the last site now: named as such, then deleted
            _remove_later(old)
            return count
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


AT_FDCWD = -100
RENAME_EXCHANGE = 2
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


@functools.cache
def _renameat2():
    """libc's ``renameat2`` (glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Exchange two existing paths in one step; False (nothing done) where the system or the
    file system cannot, an OSError for any other failure."""
    import ctypes

    fn = _renameat2()
    if fn is None:
        return False
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _NO_EXCHANGE:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process: it runs)
        return True
    return True


def _left_by_dead(name: str, prefix: str) -> bool:
    """Whether the temporary ``name`` (``prefix`` then the pid of its writer, then ``-`` or ``.``)
    was left by a process that no longer runs (one with no pid: an older citycat's, left)."""
    rest = name[len(prefix) :]
    digits = rest.split("-", 1)[0].split(".", 1)[0]
    return not digits.isdigit() or not _running(int(digits))


def recover(out: Path) -> None:
    """Repair what runs killed beside ``out`` left: a site folder missing (killed between the two
    renames of the fallback swap: the new site, complete, is put in place), and the folders of
    killed runs (deleted)."""
    parent = out.parent
    if not parent.is_dir():
        return
    new, old = f".{out.name}.new-", f".{out.name}.old-"
    left = [
        p for p in parent.iterdir() if p.name.startswith((new, old)) and p.is_dir() and not p.is_symlink()
    ]
    left = [p for p in left if _left_by_dead(p.name, new if p.name.startswith(new) else old)]
    if not out.exists():
        complete = [p for p in left if p.name.startswith(new) and (p / MARKER).is_file()]
        if complete:
            best = max(complete, key=lambda p: (p / MARKER).stat().st_mtime_ns)
            os.replace(best, out)
            left.remove(best)
    for folder in left:
        _remove_later(folder)


def remove_leftovers(path: Path) -> None:
    """Delete the temporary files beside ``path`` (``.NAME.PID.….tmp``) that writers killed
    before they renamed them left (``kill -9``, a power cut)."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp") and _left_by_dead(name, prefix):
            try:
                os.unlink(os.path.join(path.parent, name))
            except OSError:
                continue


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
