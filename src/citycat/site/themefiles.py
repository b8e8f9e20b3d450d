"""The theme's files (``site/``: templates, UI strings, static files), read under the rule of
every input (``citycat.source.paths``).

A catalogue's own theme comes by pull request like the rest of its repository: a static file
``site/static/leak.txt → /etc/passwd`` must not be copied into the site, nor a template that
links out be rendered. The repository a theme belongs to is the folder that holds ``site/``
(the catalogue's root, or citycat's own repository for the theme shipped with it): a symlink
within it is fine. ``refusals`` lists, before a build renders anything, every file of the theme
that would be refused, as findings; ``read`` and ``Loader`` refuse them again as they are read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2

from citycat.model.findings import Finding
from citycat.source import paths
from citycat.source.yamlsafe import refusal


def top(theme: Path) -> Path:
    """The repository the theme belongs to: the folder that holds it."""
    return Path(theme).absolute().parent


def read(theme: Path, path: Path) -> bytes:
    return paths.read(top(theme), path)


def files(theme: Path) -> list[Path]:
    """Every file of the theme (a symlink included, wherever it leads), sorted."""
    theme = Path(theme)
    if not theme.is_dir():
        return []
    return sorted(p for p in theme.rglob("*") if p.is_file() or p.is_symlink())


def refusals(theme: Path) -> list[Finding]:
    """A finding for each file of the theme the rule refuses (leads outside, too large)."""
    root = top(theme)
    out = []
    for path in files(theme):
        try:
            real = paths.contained(root, path)
            size = real.stat().st_size if real.is_file() else 0
            if size > paths.FILE_CAP:
                raise paths.TooLarge(paths.name_of(root, path), size, paths.FILE_CAP)
        except paths.Refused as exc:
            out.append(refusal(exc, paths.name_of(root, path)))
        except OSError:
            continue  # a dangling link inside: nothing is read from it
    return out


class Loader(jinja2.BaseLoader):
    """Jinja2's templates of ``theme/templates``, each read under the rule (Jinja2's own
    FileSystemLoader follows any symlink)."""

    def __init__(self, theme: Path):
        self.theme = Path(theme)
        self.folder = self.theme / "templates"

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        path = self.folder.joinpath(*split_template_path(template))
        try:
            data = read(self.theme, path)
        except (FileNotFoundError, IsADirectoryError, paths.NotAFile):
            raise jinja2.TemplateNotFound(template) from None
        mtime = os.path.getmtime(path)
        return data.decode("utf-8"), str(path), lambda: os.path.getmtime(path) == mtime
