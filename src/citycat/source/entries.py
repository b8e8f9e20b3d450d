"""datasets.yaml as a list of entries: where the list starts, its entries' texts, slices of
whole entries, and what an entry that moved down or up becomes.

``citycat validate`` checks a large list in slices (``split_entries``); a rebuild in
``citycat serve`` cuts the list into entries (``cut``) and keeps what an unchanged entry made,
its locations shifted (``shift_dataset``, ``shift_finding``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from citycat.model.catalogue import Dataset
from citycat.model.findings import Finding, Loc
from citycat.source.inputs import DATASETS


def list_start(text: str) -> tuple[int, int, int] | None:
    """Where the list starts in datasets.yaml of the plain layout (``datasets:`` at the left
    margin, then items ``- `` at one indentation): (the end of the ``datasets:`` line, the start
    of the first item's line, the items' indentation), or None for another layout."""
    if text.startswith("datasets:\n"):
        head = 0
    else:
        head = text.find("\ndatasets:\n") + 1
        if head == 0:
            return None
    body = head + len("datasets:\n")
    first = body
    while True:  # skip comments and blank lines before the first item
        end = text.find("\n", first)
        line = text[first : end if end >= 0 else len(text)]
        if line.strip() and not line.lstrip().startswith("#"):
            break
        if end < 0:
            return None
        first = end + 1
    stripped = line.lstrip(" ")
    if not stripped.startswith("- "):
        return None
    return body, first, len(line) - len(stripped)


def plain(text: str) -> bool:
    """Whether the text can be cut at all: no byte-order mark, no tabs."""
    return not text.startswith("\ufeff") and "\t" not in text


def split_entries(text: str, parts: int, min_entries: int = 50) -> list[tuple[str, int]] | None:
    """Cut datasets.yaml into ``parts`` slices of whole entries, each a valid datasets.yaml.

    Returns (text, line offset) pairs, or None when the file does not have the plain layout
    (``datasets:`` at the left margin, then items ``- `` at one indentation). A cut inside a
    multi-line quoted text makes a slice unreadable, and then the whole file is checked at once.
    """
    start = list_start(text)
    if start is None:
        return None
    body, first, indent = start
    marker = "\n" + " " * indent + "- "
    if text.count(marker, body) + 1 < parts * min_entries or parts < 2:
        return None
    cuts = []
    for i in range(1, parts):
        at = text.find(marker, max(first, len(text) * i // parts))
        if at < 0 or (cuts and at + 1 <= cuts[-1]):
            return None
        cuts.append(at + 1)
    out = [(text[: cuts[0]], 0)]
    for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True):
        line_of_a = text.count("\n", 0, a) + 1
        out.append(("datasets:\n" + text[a:b], line_of_a - 2))
    return out


def as_slice(run: list[tuple[str, int]]) -> tuple[str, int]:
    """Consecutive entries (text, line) as a datasets.yaml of their own and its line offset."""
    return "datasets:\n" + "".join(t for t, _ in run), run[0][1] - 2


@dataclass(frozen=True)
class Cut:
    head: str  # everything before the first entry
    entries: tuple[tuple[str, int], ...]  # (text, line of its "- ") in file order
    indent: int = 0  # of the items' "- "


def cut(text: str, margin: bool = True) -> Cut | None:
    """The entries of datasets.yaml as texts, or None when the file does not have the plain
    layout (``datasets:`` at the left margin, then items ``- `` at one indentation, nothing else
    at the margin after them)."""
    start = list_start(text)  # (comments and blank lines before the first item: the head's)
    if start is None:
        return None
    _, first, indent = start
    marker = "\n" + " " * indent + "- "
    starts = [first]
    at = text.find(marker, first)
    while at >= 0:
        starts.append(at + 1)
        at = text.find(marker, at + 1)
    ends = [*starts[1:], len(text)]
    line_no = text.count("\n", 0, first) + 1
    entries = []
    prev = first
    for a, b in zip(starts, ends, strict=True):
        line_no += text.count("\n", prev, a)
        prev = a
        entries.append((text[a:b], line_no))
    # a line at the left margin after the list started (other than a comment or, for a list
    # at the margin, an item) is another top-level key, which no entry's text may carry
    if margin and margin_key(text[first:], indent):
        return None
    return Cut(text[:first], tuple(entries), indent)


def margin_key(text: str, indent: int) -> bool:
    """Whether ``text`` (entries) has a line at the left margin other than a comment or, for a
    list written at the margin, an item: another top-level key, which no entry may carry."""
    return bool((_MARGIN_ITEM if indent == 0 else _MARGIN_ANY).search(text))


_MARGIN_ITEM = re.compile(r"^(?![\s#]|- )(?=.)", re.M)
_MARGIN_ANY = re.compile(r"^(?![\s#])(?=.)", re.M)


# ---------------------------------------------------------------------------------------------
# What an entry that moved becomes


def shift_loc(loc: Loc | None, delta: int) -> Loc | None:
    if loc is None or loc.file != DATASETS or not loc.line:
        return loc
    return Loc(loc.file, loc.line + delta, loc.col)


class Shifted(Mapping):
    """The locations of a record that moved ``delta`` lines, worked out when read: an inserted
    line moves every later entry, a million locations at 10,000 entries, of which a rebuild
    reads a few."""

    __slots__ = ("base", "delta")

    def __init__(self, base: Mapping[str, Loc], delta: int):
        self.base, self.delta = base, delta

    def __getitem__(self, key: str) -> Loc:
        return shift_loc(self.base[key], self.delta)

    def __iter__(self):
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def shift_map(m: Mapping[str, Loc], delta: int) -> Mapping[str, Loc]:
    if not m:
        return m
    if isinstance(m, Shifted):
        return Shifted(m.base, m.delta + delta) if m.delta + delta else m.base
    return Shifted(m, delta)


def _moved(record, delta: int, **more):
    """A copy of a frozen record with its locations ``delta`` lines down."""
    return replace(
        record,
        locs=shift_map(record.locs, delta),
        keylocs=shift_map(record.keylocs, delta),
        loc=shift_loc(record.loc, delta),
        **more,
    )


def shift_dataset(d: Dataset, delta: int) -> Dataset:
    """The same record, written ``delta`` lines further down."""
    if not delta:
        return d
    dists = tuple(_moved(x, delta) for x in d.distributions)
    return _moved(d, delta, distributions=dists, internal_locs=shift_map(d.internal_locs, delta))


def shift_finding(f: Finding, delta: int) -> Finding:
    if not delta or f.loc is None or f.loc.file != DATASETS:
        return f
    params = f.params
    if f.code == "yaml-duplicate-key" and isinstance(params.get("first"), int):
        params = {**params, "first": params["first"] + delta}
    return replace(f, loc=shift_loc(f.loc, delta), params=params)
