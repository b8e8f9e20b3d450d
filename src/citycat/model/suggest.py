"""What someone meant: the ids of a register (or of the list) closest to what they typed.

``suggest("so-khcn", candidates)`` ranks a register's records by what a data officer is likely
to type instead of the id: the abbreviation (``SKHCN``), the initials of the id's or the name's
words (``so-khcn``, ``Sở KH&CN``), the first words of the name typed without diacritics
(``so khoa hoc``), some of its words (``khoa hoc cong nghe``), and, last, a near spelling of the
id or the name (``so-tai-chin``). Everything is compared folded (``citycat.model.vietnamese.fold``:
no diacritics, đ → d, case-insensitive). ``resolve`` is the same comparison asked for one answer:
the record a text names outright (its id, abbreviation or name, however cased or marked).

Plain functions over plain values: nothing here reads a file.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from citycat.model.vietnamese import fold

# Words an abbreviation leaves out: "Sở Khoa học và Công nghệ" is "SKHCN".
SMALL_WORDS = frozenset({"va", "and", "of", "the", "for", "cua", "voi", "&"})
_WORD = re.compile(r"[a-z0-9]+")
CUTOFF = 0.6  # the least closeness (difflib ratio, or share of the typed letters matched) shown


@dataclass(frozen=True)
class Candidate:
    """One record as it can be named: its id, its names (any language), its abbreviation."""

    id: str
    names: tuple[str, ...] = ()
    abbreviation: str = ""

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        """The compact folded forms naming it outright: ``sokhoahocvacongnghe``, ``skhcn``…"""
        texts = (self.id, self.abbreviation, *self.names)
        return tuple(dict.fromkeys(k for k in (_compact(t) for t in texts if t) if k))

    @functools.cached_property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """Its id and each name as lists of folded words."""
        texts = (self.id, *self.names)
        return tuple(dict.fromkeys(w for w in (words(t) for t in texts if t) if w))

    @functools.cached_property
    def spellings(self) -> tuple[str, ...]:
        """Folded id and names, spaced, for difflib."""
        return tuple(dict.fromkeys(" ".join(p) for p in self.phrases))


def words(text: str) -> tuple[str, ...]:
    """The folded words of a text: ``"Sở KH&CN"`` → ``("so", "kh", "cn")``."""
    return tuple(_WORD.findall(fold(str(text))))


def _compact(text: str) -> str:
    return "".join(words(text))


def candidates(records: Iterable) -> list[Candidate]:
    """Candidates from records (anything with ``.id`` and ``.get``, like ``model.catalogue.Record``):
    the names are the ``name``, ``label`` or ``title`` fields in vi and en."""
    out = []
    for r in records:
        names = tuple(
            str(r.get(f"{field}.{lang}"))
            for field in ("name", "label", "title")
            for lang in ("vi", "en")
            if r.get(f"{field}.{lang}")
        )
        out.append(Candidate(str(r.id), names, str(r.get("abbreviation") or "")))
    return out


def _match(tokens: Sequence[str], phrase: Sequence[str]) -> tuple[int, int]:
    """(letters of ``tokens`` matched, words of ``phrase`` covered), the best way of matching the
    typed tokens in order to the phrase's words: a token is the start of a word (``chin`` of
    ``chinh``), or the initials of several words in a row, small words optional (``khcn`` of
    ``khoa hoc va cong nghe``). Words and tokens may be left out."""

    @functools.cache
    def best(i: int, j: int) -> tuple[int, int]:
        if i == len(tokens) or j == len(phrase):
            return (0, 0)
        options = [best(i + 1, j), best(i, j + 1)]
        token = tokens[i]
        if phrase[j].startswith(token):
            got, covered = best(i + 1, j + 1)
            options.append((got + len(token), covered + 1))
        # initials of phrase[j:k], skipping small words anywhere but first
        for k in _ends_of_initials(phrase, j, token):
            got, covered = best(i + 1, k)
            options.append((got + len(token), covered + (k - j)))
        return max(options)

    return best(0, 0)


def _ends_of_initials(phrase: Sequence[str], j: int, token: str) -> Iterable[int]:
    """The ends k such that ``token`` is the initials of phrase[j:k] (some small words skipped)."""
    if len(token) < 2 or not phrase[j].startswith(token[0]):
        return
    states = {(j + 1, 1)}  # (next word, letters of the token used)
    while states:
        following = set()
        for k, used in states:
            if used == len(token):
                yield k
                continue
            if k == len(phrase):
                continue
            if phrase[k][0] == token[used]:
                following.add((k + 1, used + 1))
            if phrase[k] in SMALL_WORDS:
                following.add((k + 1, used))
        states = following


def closeness(typed: str, candidate: Candidate) -> float:
    """How surely ``typed`` means ``candidate``: 3 when it names it outright (id, abbreviation or
    name, however cased or marked), 2–3 when every typed word matches the candidate's words (the
    more of them covered, the higher), else a share of up to 1 (typed letters matched, or difflib's
    ratio on the folded spellings, whichever is higher); 0 for nothing alike."""
    compact = _compact(typed)
    if not compact:
        return 0.0
    if compact in candidate.keys:
        return 3.0
    tokens = words(typed)
    letters = sum(len(t) for t in tokens)
    share = 0.0
    for phrase in candidate.phrases:
        got, covered = _match(tokens, phrase)
        if got == letters:
            share = max(share, 2.0 + 0.99 * covered / len(phrase))
        else:
            share = max(share, got / letters)
    if share >= 2.0:
        return share
    spaced = " ".join(tokens)
    for spelling in (*candidate.spellings, *candidate.keys):
        share = max(share, difflib.SequenceMatcher(None, spaced, spelling).ratio())
    return share


def suggest(typed: str, among: Iterable[Candidate], n: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """The ids of the ``n`` candidates closest to ``typed``, best first: those matching every typed
    word when there are some, else those at least ``cutoff`` alike."""
    scored = [(closeness(typed, c), i, c.id) for i, c in enumerate(among)]
    best = max((s[0] for s in scored), default=0.0)
    floor = 2.0 if best >= 2.0 else cutoff  # when some match every typed word, only those
    ranked = sorted((s for s in scored if s[0] >= floor), key=lambda s: (-s[0], s[1]))
    return list(dict.fromkeys(cid for _, _, cid in ranked))[:n]


def resolve(typed: str, among: Iterable[Candidate]) -> str | None:
    """The one candidate ``typed`` names outright (its id, abbreviation or name, folded), else None."""
    compact = _compact(typed)
    found = {c.id for c in among if compact and compact in c.keys}
    return found.pop() if len(found) == 1 else None
