"""The characters a catalogue's text must not hold, those it should not, and what XML can carry.

YAML lets a double-quoted value hold any character as an escape (``"\\0"``, ``"\\x01"``,
``"\\uFFFE"``, ``"\\u202E"``), and a value pasted from another document can bring invisible ones.

- **Refused** (``text-control``, an error): C0 control characters but tab, line feed and carriage
  return; DEL and the C1 controls (U+007F–U+009F); the Unicode non-characters (U+FDD0–U+FDEF and
  the last two code points of every plane, U+FFFE, U+FFFF, U+1FFFE…). XML 1.0 cannot carry most
  of them at all (an Atom feed or an RDF/XML file holding one is not well-formed); none is text.
- **Hidden** (``text-invisible``, a warning): bidirectional controls (U+202A–U+202E,
  U+2066–U+2069, and the marks U+200E, U+200F, U+061C) and zero-width characters (U+200B–U+200D,
  U+2060–U+2064, U+FEFF). They are legal but invisible: a title can read reversed, or two ids or
  titles look the same and differ.
- ``xml_safe``: what the XML writers do with text anyway (a second lock, validation being the
  first): every character XML 1.0 cannot carry becomes U+FFFD.
"""

from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
)
REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_NONCHARACTERS}]")
HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_EITHER = re.compile(f"{REFUSED.pattern}|{HIDDEN.pattern}")
# XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_NAMES = {  # what unicodedata has no name for
    "\x00": "NULL",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}


def odd(text: str) -> tuple[str, str] | None:
    """The first refused or hidden character of ``text``, as ("refused" or "hidden", the
    character); None when it holds neither (the common case, one regular-expression search)."""
    m = _EITHER.search(text)
    if m is None:
        return None
    found = REFUSED.search(text)
    if found is not None:
        return "refused", found.group()
    return "hidden", m.group()


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how a message names an invisible character."""
    name = unicodedata.name(char, "") or _NAMES.get(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = "CONTROL CHARACTER"
    if not name and (0xFDD0 <= ord(char) <= 0xFDEF or ord(char) & 0xFFFE == 0xFFFE):
        name = "NONCHARACTER"
    return f"U+{ord(char):04X} {name}".strip()


def shown(text: str, most: int = 60) -> str:
    """``text`` as a message may print it: every refused or hidden character written as
    ``<U+202E>``, cut to ``most`` characters."""
    short = text if len(text) <= most else text[: most - 1] + "…"
    return _EITHER.sub(lambda m: f"<U+{ord(m.group()):04X}>", short)


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
