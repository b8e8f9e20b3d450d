"""Vietnamese text: NFC, folding for search, slugs and alphabetical order."""

from __future__ import annotations

import functools
import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_MARKS = re.compile(r"[\u0300-\u036f]")

# The Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_BASE_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tone marks, in the conventional order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_VOWEL_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Lower-case, without tone or vowel marks, đ → d: what search compares.

    "Hòa" and "Hoà" (two NFC spellings) and "hoa" all fold to "hoa"; "Đường" folds to "duong".
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return unicodedata.normalize("NFC", _MARKS.sub("", decomposed)).casefold()


def slugify(text: str, max_length: int = 100) -> str:
    """A CKAN-style name: "Sở Y tế – Đường phố" → "so-y-te-duong-pho"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-")


@functools.cache
def sort_key(text: str) -> tuple:
    """Sort in Vietnamese order: letters by the Vietnamese alphabet, then tones as a second key.

    Remembered for each whole text (a build sorts the same 20,000 titles several times; the
    lists returned are shared: compare them, never change them). Each character's (letter,
    tone) is worked out once and remembered too. Text holding a lone combining mark takes the
    long way (``_sort_key``).
    """
    folded = nfc(text).casefold()
    try:  # map and dict lookups in C: no Python step per character
        return (list(map(_LETTERS.__getitem__, folded)), list(map(_TONES_OF.__getitem__, folded)))
    except KeyError:  # a character met for the first time
        return _learn(text, folded)


def _learn(text: str, folded: str) -> tuple:
    """``sort_key`` of a text holding characters not remembered yet: remember them."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in folded:
        known = _CHARS.get(ch)
        if known is None:
            one = _sort_key(ch)
            if len(one[0]) != 1 or unicodedata.combining(ch):
                return _sort_key(text)
            known = _CHARS[ch] = (one[0][0], one[1][0])
            _LETTERS[ch], _TONES_OF[ch] = known
        letters.append(known[0])
        tones.append(known[1])
    return (letters, tones)


_CHARS: dict[str, tuple[int, int]] = {}  # each character's (letter, tone), as met
_LETTERS: dict[str, int] = {}  # the same, apart
_TONES_OF: dict[str, int] = {}


def _sort_key(text: str) -> tuple:
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", nfc(text).casefold()):
        if ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
            continue
        if ch in _VOWEL_MARKS and letters:
            base = _ALPHABET[letters[-1]] if 0 <= letters[-1] < len(_ALPHABET) else ""
            combined = unicodedata.normalize("NFC", base + ch)
            if combined in _BASE_RANK:
                letters[-1] = _BASE_RANK[combined]
            continue
        if ch in _BASE_RANK:
            letters.append(_BASE_RANK[ch])
        else:
            letters.append(len(_ALPHABET) + ord(ch) if not ch.isspace() else -1)
        tones.append(0)
    return (letters, tones)
