"""How a change moves the scores of the entries it touches (``citycat.quality.scores``): each entry's
overall score at the git ref and now, both worked out with today's registers and rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from citycat.editing.changes import Comparison, old_file


def _scores(root: Path, text: str | None, today: dt.date, ids: set[str]) -> dict[str, int]:
    from citycat import checks
    from citycat.quality import scores
    from citycat.source.load import load
    from citycat.source.yamlsafe import FatalYAML

    try:
        loaded = load(root, part=(text, 0)) if text is not None else load(root)
    except FatalYAML:
        return {}
    c = loaded.catalogue
    found = [*loaded.findings, *checks.run(c, today)]
    wanted = [d for d in c.datasets if d.id in ids]
    out = {}
    for d in wanted:
        own = [f for f in found if f.dataset == d.id]
        out[d.id] = scores.score(c, d, own, today).overall
    return out


def score_changes(
    root: Path, comparison: Comparison, today: dt.date
) -> list[tuple[str, int | None, int | None]]:
    """(id, score at the ref, score now) for every entry added, changed, renamed or removed."""
    if not comparison.changes:
        return []
    old_ids = {c.old_id or c.id for c in comparison.changes if c.kind != "added"}
    new_ids = {c.id for c in comparison.changes if c.kind != "removed"}
    data = old_file(root, comparison.ref)
    before = _scores(root, data.decode("utf-8", "replace"), today, old_ids) if data is not None else {}
    after = _scores(root, None, today, new_ids)
    return [
        (c.id, before.get(c.old_id or c.id) if c.kind != "added" else None, after.get(c.id))
        for c in comparison.changes
    ]
