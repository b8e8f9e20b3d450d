"""Every message a data officer reads, in both languages: ``citycat validate`` on every bad case
and every error of the command line, with ``--lang vi`` and ``--lang en``. It fails on a line in
the other language and on raw library text (PyYAML's, click's, a traceback), and checks that
``--help`` describes every option in plain words, with no Python type as a metavar.

The commands run in this process (``citycat.cli.main``, as ``python -m citycat`` runs it): the
same code path, a hundred times faster than a process each.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
import typer.main
from typer import _click as click

from citycat.cli import app, main
from citycat.cli.usage import localise
from citycat.cli.words import words
from tests.conftest import CASES, TODAY

BAD = sorted(p.name for p in (CASES / "bad").iterdir() if (p / "case.yaml").is_file())

# English a Vietnamese line must not hold (outside code, paths and quoted values)
ENGLISH = re.compile(
    r"\b(the|is|not|file|files|error|errors|cannot|missing|wrote|refused|folder|no such|"
    r"invalid|usage|option|required|expected|found|line|column|should|must)\b",
    re.IGNORECASE,
)
# Vietnamese letters with marks (an English line holds them only in quoted values)
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
# What a library says in its own words
RAW = (
    "while parsing",
    "while scanning",
    "could not find expected",
    "mapping values are not allowed",
    "found character",
    "No such option",
    "Missing argument",
    "Missing parameter",
    "Invalid value",
    "Got unexpected",
    "is not one of",
    "requires an argument",
    "Traceback",
    "Error:",
    "Errno",
    "No such file or directory",
    "Permission denied",
    "Input should be",
)


def prose(text: str) -> str:
    """What a person reads as sentences: the source excerpts, quoted values, codes, paths,
    URLs and option names taken out."""
    kept = []
    for line in text.splitlines():
        if re.match(r"^\s*(\d+\s*)?\|", line):  # an excerpt of the user's file
            continue
        line = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\[[^\]]*\]", " ", line)
        line = " ".join(w for w in line.split() if not re.search(r"[-_/.:=@<>{}0-9]", w.strip(",.;()?")))
        kept.append(line)
    return "\n".join(kept)


def other_language(text: str, language: str) -> list[str]:
    found = ENGLISH.findall(prose(text)) if language == "vi" else VIETNAMESE.findall(prose(text))
    return sorted(set(found))


def run(capsys, *args: str, cwd: Path | None = None) -> tuple[int, str]:
    """``citycat ARGS`` in this process: its exit status, and what it printed (both streams)."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with pytest.raises(SystemExit) as stop:
            main(list(args))
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else 1), out + err


def assert_said_in(language: str, text: str) -> None:
    assert text.strip(), "nothing was said"
    raw = [phrase for phrase in RAW if phrase in text]
    assert raw == [], f"raw library text {raw} in:\n{text}"
    assert unicodedata.is_normalized("NFC", prose(text)), f"text not in NFC:\n{text}"
    wrong = other_language(text, language)
    assert wrong == [], f"{language} output holds words of the other language {wrong}:\n{text}"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("name", BAD)
def test_every_bad_case_is_said_in_the_chosen_language(name, language, make_case, capsys):
    root = make_case(name)
    code, text = run(
        capsys, "validate", "-C", str(root), "--lang", language, "--today", TODAY.isoformat(), "--no-cache"
    )
    assert code in (0, 1), text
    assert_said_in(language, text)


def errors(root: Path, bad: Path, tmp: Path) -> dict[str, tuple[int, list[str]]]:
    """Each error path of the command line: (its exit status, its arguments)."""
    today = ("--today", TODAY.isoformat())
    locked = tmp / "locked"
    locked.mkdir(exist_ok=True)
    return {
        "unknown option": (2, ["validate", "-C", str(root), "--lnag", "en"]),
        "unknown command": (2, ["valdate", "-C", str(root)]),
        "missing argument": (2, ["export", "-C", str(root)]),
        "missing option": (2, ["release", "-C", str(root), "--date", "2026-12-31"]),
        "bad choice": (2, ["export", "pdf", "-C", str(root)]),
        "bad --today": (2, ["validate", "-C", str(root), "--today", "31/13/2026"]),
        "bad number": (2, ["check-links", "-C", str(root), "--concurrency", "0"]),
        "option without its value": (2, ["validate", "-C", str(root), "--format"]),
        "extra argument": (2, ["validate", "-C", str(root), "surplus"]),
        "not a catalogue": (2, ["export", "ttl", "-C", str(tmp / "nowhere")]),
        "unknown agency": (2, ["report", "-C", str(root), "--agency", "khong-co", *today]),
        "export refused": (1, ["export", "ttl", "-C", str(bad), "-o", str(tmp / "x.ttl"), *today]),
        "report refused": (1, ["report", "-C", str(bad), *today]),
        "out is a folder": (2, ["export", "ttl", "-C", str(root), "-o", str(tmp), *today]),
        "unwritable out": (2, ["export", "ttl", "-C", str(root), "-o", str(locked / "no" / "x.ttl"), *today]),
        "unreadable import": (2, ["import", "xlsx", str(tmp / "absent.xlsx"), "-C", str(root)]),
        "bad import option": (
            2,
            ["import", "datajson", str(tmp / "a.json"), "-C", str(root), "--source-lang", "fr"],
        ),
    }


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_error_of_the_command_line_is_said_in_the_chosen_language(
    language, good, make_case, tmp_path, capsys
):
    bad = make_case("reference-missing-agency")
    for label, (status, args) in errors(good, bad, tmp_path).items():
        code, text = run(capsys, *args, "--lang", language, cwd=tmp_path)
        assert code == status, f"{label}: exit {code}\n{text}"
        try:
            assert_said_in(language, text)
        except AssertionError as exc:
            raise AssertionError(f"{label}: {exc}") from None


def test_the_language_follows_the_catalogue_when_no_lang_is_given(good, capsys):
    settings = good / "catalogue" / "settings.yaml"
    settings.write_text(settings.read_text("utf-8") + "\ndefault_language: en\n", "utf-8")
    code, text = run(capsys, "validate", "-C", str(good), "--lnag")
    assert code == 2 and "there is no option --lnag" in text and "Did you mean --lang?" in text
    code, text = run(capsys, "validate", "-C", str(good / "catalogue"), "--lnag")
    assert code == 2 and "không có tùy chọn --lnag" in text  # not a catalogue: Vietnamese


# --- --help ----------------------------------------------------------------------------------


def commands():
    command = typer.main.get_command(app)
    found = []

    def walk(c, path):
        found.append(path)
        for name, sub in getattr(c, "commands", {}).items():
            walk(sub, [*path, name])

    walk(command, [])
    return found


TYPE_METAVAR = re.compile(r"<(bool|str|int|float|path|list\[.*?\]|[a-z_]+)>|\{[a-z_]+\}|list\[")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_help_describes_every_option_in_plain_words(language, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "settings.yaml").write_text(f"default_language: {language}\n", "utf-8")
    command = typer.main.get_command(app)
    localise(command, language)
    undescribed = []
    for path in commands():
        c = command
        for name in path:
            c = c.commands[name]
        for param in c.get_params(click.Context(c)):
            if not (param.help or "").strip():
                undescribed.append(f"{' '.join(path) or 'citycat'} {param.name}")
            elif language == "vi" and not VIETNAMESE.search(param.help) and param.name != "help":
                undescribed.append(f"{' '.join(path) or 'citycat'} {param.name} (not in Vietnamese)")
        code, text = run(capsys, *path, "--help", cwd=tmp_path)  # the language of the catalogue there
        assert code == 0, text
        assert TYPE_METAVAR.findall(text) == [], f"{path}: a type as a metavar in:\n{text}"
        assert "Show this message" not in text
        if language == "vi":
            assert "Cách dùng: citycat" in text and "Usage:" not in text
    assert undescribed == []


def test_words_have_both_languages_with_the_same_parameters():
    for key, texts in words().items():
        assert set(texts) == {"vi", "en"}, key
        names = [sorted(set(re.findall(r"\{(\w+)", texts[lang]))) for lang in ("vi", "en")]
        assert names[0] == names[1], key
        assert unicodedata.is_normalized("NFC", texts["vi"]), key
