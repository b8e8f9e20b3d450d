"""The inspection committee's report: who delivers and who lags, measured from the catalogue.

``data(catalogue, findings, today, lang, agency)`` is the report as plain values (what
``--format json`` prints); ``markdown``, ``html``, ``xlsx`` and ``pdf`` lay the same values out. The
numbers come from ``citycat.quality.scores``; nothing here computes a score.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from citycat.model import policy
from citycat.model.catalogue import Catalogue
from citycat.model.findings import Finding
from citycat.model.vietnamese import sort_key
from citycat.quality import scores
from citycat.site import charts, i18n, sharing

FORMATS = ("md", "html", "xlsx", "pdf", "json")


class ReportError(Exception):
    """A report that cannot be made as asked (an unknown agency)."""


def data(
    c: Catalogue,
    findings: list[Finding] | tuple[Finding, ...],
    today: dt.date,
    lang: str = "vi",
    agency: str | None = None,
    strings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The report's contents in ``lang``; ``agency`` narrows the datasets to one agency (the
    ranking still shows every agency, so it is seen among the others)."""
    if agency is not None and agency not in c.agencies:
        known = ", ".join(sorted(c.agencies))
        raise ReportError(f"unknown agency '{agency}' (known: {known})")
    t = strings or {}
    by_id = scores.score_all(c, findings, today)
    cards = scores.agencies(c, by_id, today)
    chosen = [d for d in c.datasets if agency is None or d.agency == agency]
    summary = scores.summary(c, by_id, today, chosen)
    deadline = scores.deadline(c, today, lang)
    name = lambda a: c.agencies[a].text("name", lang) if a in c.agencies else a  # noqa: E731
    title_of = {d.id: d.text("title", lang) for d in c.datasets}
    std_labels = {k: scores.rules()["standards"][k]["label"][lang] for k in scores.STANDARDS}

    def dataset_row(d) -> dict[str, Any]:
        s = by_id[d.id]
        return {
            "id": d.id,
            "title": title_of[d.id],
            "agency": name(d.agency),
            "status": c.register("statuses")[d.status].label(lang) if d.status in c.register("statuses") else d.status,
            "due": d.due.isoformat() if d.due else None,
            "days_late": (today - d.due).days if d.due and d.is_overdue(today) else 0,
            "overall": s.overall,
            "standards": {k: s.standard(k).score for k in scores.STANDARDS},
            "mqa": s.mqa.points,
            "mqa_rating": s.mqa.rating_label(lang),
            "freshness": scores.freshness_label(s.freshness, lang),
            "to_fix": [
                {"standard": std_labels[x.standard], "criterion": x.title(lang), "points": round(x.lost), "why": x.message(lang)}
                for x in s.losses()[:3]
            ],
        }  # fmt: skip

    ordered = sorted(chosen, key=lambda d: (-by_id[d.id].overall, sort_key(title_of[d.id]), d.id))
    late = [row for row in (dataset_row(c.dataset(i)) for i, _, _ in deadline["late"]) if row]
    if agency is not None:
        late = [r for r in late if r["agency"] == name(agency)]
    ranking = []
    for card in cards:
        ranking.append(
            {
                "rank": card["rank"],
                "id": card["id"],
                "agency": name(card["id"]),
                "datasets": card["datasets"],
                "proposed": card["proposed"],
                "confirmed": card["confirmed"],
                "published": card["published"],
                "overdue": card["overdue"],
                "to_publish": card["to_publish"],
                "tau": card["tau"],
                "overall": card["overall"],
                "standards": card["standards"],
                "mqa": card["mqa"],
                "worst": [
                    {
                        "dataset": title_of.get(dataset_id, dataset_id),
                        "id": dataset_id,
                        "criterion": crit.title(lang),
                        "points": round(crit.lost),
                        "why": crit.message(lang),
                    }
                    for crit, dataset_id in card["worst"]
                ],
            }
        )
    scope = name(agency) if agency else c.settings.text("title", lang)
    return {
        "title": t.get("report_title", "Report"),
        "scope": scope,
        "agency": agency,
        "lang": lang,
        "today": today.isoformat(),
        "today_text": i18n.date(today),
        "deadline": deadline["deadline"].isoformat() if deadline["deadline"] else None,
        "deadline_text": i18n.date(deadline["deadline"]),
        "days_left": deadline["days_left"],
        "standards": std_labels,
        "summary": {k: v for k, v in summary.items() if k != "overdue_ids"},
        "ranking": ranking if agency is None else [r for r in ranking if r["id"] == agency],
        "all_ranking": ranking,
        "late": late,
        "datasets": [dataset_row(d) for d in ordered],
        "charts": _charts(ranking if agency is None else [r for r in ranking if r["id"] == agency], summary, t, std_labels),
        "sharing": sharing_section(c, lang),
    }  # fmt: skip


def sharing_section(c: Catalogue, lang: str) -> dict[str, Any]:
    """Who provides data to whom (``citycat.site.sharing``, the figures of the site's sharing
    page), counting every dataset as the rest of the report does: ``flows`` by agency id, and each
    agency's row (in the order of the list of agencies) naming the others with their counts."""
    flow = sharing.flows(c, policy.INTERNAL)

    def other(x: dict[str, Any]) -> dict[str, Any]:
        return {"id": x["id"], "agency": x["name"], **{k: x[k] for k in ("abbreviation", "count", "methods")}}

    rows = [
        {
            "id": p["id"],
            "agency": p["name"],
            **{k: p[k] for k in ("abbreviation", "shared", "used")},
            "provides": [other(x) for x in p["provides"]],
            "uses": [other(x) for x in p["uses"]],
        }
        for p in sharing.panels(c, policy.INTERNAL, lang, flow)
    ]
    return {"flows": flow, "agencies": rows}


def sharing_list(items: list[dict[str, Any]]) -> str:
    """The agencies of a sharing row as one cell's text: "STC 2, SYT 1" ("–": none)."""
    return ", ".join(f"{x['abbreviation']} {x['count']}" for x in items) or "–"


def _charts(
    ranking: list[dict[str, Any]], summary: dict[str, Any], t: dict[str, str], labels, sizes=None
) -> dict[str, str]:
    """The progress and standards charts; ``sizes``: each one's keyword arguments for
    ``charts.stacked`` and ``charts.bars`` (width, font) when not the HTML page's (the progress
    chart wider than the standards' there, for the agencies' names: 11 px at 390 px)."""
    sizes = sizes or {"progress": {"width": 440, "label_share": 0.5}}
    rows = [
        (
            r["agency"],
            [
                (r["published"], "status-published", t.get("status_published", "published")),
                (r["confirmed"], "status-confirmed", t.get("status_confirmed", "confirmed")),
                (r["proposed"], "status-proposed", t.get("status_proposed", "proposed")),
            ],
        )
        for r in ranking
        if r["datasets"]
    ]
    standards = [(labels[k], summary["standards"][k] or 0, f"std-{k}") for k in scores.STANDARDS]
    return {
        "progress": charts.stacked(
            t.get("report_chart_progress", "Progress per agency"), rows, **sizes.get("progress", {})
        ),
        "standards": charts.bars(
            t.get("report_chart_standards", "The six standards"),
            standards,
            "/100",
            **sizes.get("standards", {}),
        ),
    }


# ---------------------------------------------------------------------------------------------
# Layouts


def as_json(report: dict[str, Any]) -> str:
    out = {k: v for k, v in report.items() if k != "charts"}
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def markdown(report: dict[str, Any], t: dict[str, str]) -> str:
    s = report["summary"]
    std = report["standards"]
    lines = [
        f"# {report['title']}: {report['scope']}",
        "",
        f"{t['report_date']}: {report['today_text']} · {t['report_deadline']}: {report['deadline_text']}"
        + (f" · {t['report_days_left'].replace('{n}', str(report['days_left']))}" if report["days_left"] is not None else ""),
        "",
        f"## {t['report_summary']}",
        "",
        f"| {t['report_col_datasets']} | {t['report_col_published']} | {t['report_col_confirmed']} | "
        f"{t['report_col_proposed']} | {t['report_col_overdue']} | {t['report_col_to_publish']} | "
        f"{t['report_col_tau']} | {t['report_col_overall']} | MQA |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['datasets']} | {s['published']} | {s['confirmed']} | {s['proposed']} | {s['overdue']} | "
        f"{s['to_publish']} | {_pct(s['tau'])} | {_num(s['overall'])} | {_num(s['mqa'])} |",
        "",
        "| " + " | ".join(std.values()) + " |",
        "|" + "---:|" * len(std),
        "| " + " | ".join(_num(s["standards"][k]) for k in std) + " |",
        "",
        f"## {t['report_ranking']}",
        "",
        f"| # | {t['report_col_agency']} | {t['report_col_datasets']} | {t['report_col_published']} | "
        f"{t['report_col_overdue']} | {t['report_col_tau']} | {t['report_col_overall']} | "
        + " | ".join(std.values()) + " | MQA |",
        "|---:|---|---:|---:|---:|---:|---:|" + "---:|" * len(std) + "---:|",
    ]  # fmt: skip
    for r in report["all_ranking"]:
        lines.append(
            f"| {r['rank'] or '–'} | {_md(r['agency'])} | {r['datasets']} | {r['published']} | {r['overdue']} | "
            f"{_pct(r['tau'])} | {_num(r['overall'])} | "
            + " | ".join(_num(r["standards"][k]) for k in std) + f" | {_num(r['mqa'])} |"
        )  # fmt: skip
    lines += ["", f"## {t['report_late']}", ""]
    if report["late"]:
        lines += [
            f"| {t['report_col_dataset']} | {t['report_col_agency']} | {t['report_col_due']} | {t['report_col_days_late']} | {t['report_col_status']} |",
            "|---|---|---|---:|---|",
        ]  # fmt: skip
        for r in report["late"]:
            due = i18n.date(dt.date.fromisoformat(r["due"])) if r["due"] else "–"
            lines.append(
                f"| {_md(r['title'])} | {_md(r['agency'])} | {due} | {r['days_late']} | {_md(r['status'])} |"
            )
    else:
        lines.append(t["report_none_late"])
    lines += ["", f"## {t['report_to_fix']}", ""]
    for r in report["ranking"]:
        if not r["worst"]:
            continue
        lines.append(f"### {_md(r['agency'])}")
        lines.append("")
        for w in r["worst"]:
            lines.append(
                f"- **{_md(w['dataset'])}** (`{w['id']}`): {_md(w['criterion'])}, −{w['points']}: {_md(w['why'])}"
            )
        lines.append("")
    lines += [f"## {t['report_datasets']}", ""]
    lines.append(
        f"| {t['report_col_dataset']} | {t['report_col_agency']} | {t['report_col_overall']} | "
        + " | ".join(std.values()) + f" | MQA | {t['report_col_freshness']} |"
    )  # fmt: skip
    lines.append("|---|---|---:|" + "---:|" * len(std) + "---:|---|")
    for r in report["datasets"]:
        lines.append(
            f"| {_md(r['title'])} | {_md(r['agency'])} | {r['overall']} | "
            + " | ".join(str(r["standards"][k]) for k in std) + f" | {r['mqa']} | {_md(r['freshness'])} |"
        )  # fmt: skip
    lines += ["", f"## {t['report_sharing']}", "", t["report_sharing_note"], ""]
    lines.append(
        f"| {t['report_col_agency']} | {t['report_col_abbreviation']} | {t['report_col_shared']} | "
        f"{t['report_col_provides_to']} | {t['report_col_used']} | {t['report_col_uses_from']} |"
    )
    lines.append("|---|---|---:|---|---:|---|")
    for r in report["sharing"]["agencies"]:
        lines.append(
            f"| {_md(r['agency'])} | {_md(r['abbreviation'])} | {r['shared']} | {_md(sharing_list(r['provides']))} | "
            f"{r['used']} | {_md(sharing_list(r['uses']))} |"
        )
    lines += ["", t["report_method"], ""]
    return "\n".join(lines)


def html(report: dict[str, Any], t: dict[str, str], theme: Path) -> str:
    """A standalone page (styles and charts inside it) for printing or sending by e-mail."""
    import jinja2

    from citycat.site import themefiles

    env = jinja2.Environment(
        loader=themefiles.Loader(theme),  # read under the rule of every input
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from markupsafe import Markup

    charts_html = {k: Markup(v) for k, v in report["charts"].items()}  # built from escaped text
    return env.get_template("report.html").render(
        r=report,
        t=t,
        charts=charts_html,
        chart_css=Markup(charts.css()),
        date=_date,
        sharing_list=sharing_list,
    )


def xlsx(report: dict[str, Any], t: dict[str, str]) -> bytes:
    """The report's tables as a workbook: the ranking, the late datasets and every dataset
    (written by the feeds' XLSX writer, ``citycat.feeds.xlsxwrite``)."""
    from citycat.feeds import xlsxwrite

    std = report["standards"]
    ranking = (
        ["#", *(t[f"report_col_{k}"] for k in ("agency", "datasets", "published", "confirmed", "proposed", "overdue", "to_publish", "tau", "overall")), *std.values(), "MQA"],
        [[r["rank"], r["agency"], r["datasets"], r["published"], r["confirmed"], r["proposed"], r["overdue"], r["to_publish"], r["tau"], r["overall"], *(r["standards"][k] for k in std), r["mqa"]]
         for r in report["all_ranking"]],
    )  # fmt: skip
    late = (
        [t[f"report_col_{k}"] for k in ("dataset", "agency", "due", "days_late", "status")],
        [[r["title"], r["agency"], _date(r["due"]), r["days_late"], r["status"]] for r in report["late"]],
    )
    datasets = (
        ["id", *(t[f"report_col_{k}"] for k in ("dataset", "agency", "status", "due", "overall")), *std.values(), "MQA", t["report_col_freshness"], t["report_to_fix"]],
        [[r["id"], r["title"], r["agency"], r["status"], _date(r["due"]), r["overall"], *(r["standards"][k] for k in std), r["mqa"], r["freshness"],
          "; ".join(f"{w['criterion']} (−{w['points']}): {w['why']}" for w in r["to_fix"])]
         for r in report["datasets"]],
    )  # fmt: skip
    tables = [(t["report_ranking"], ranking), (t["report_late"], late), (t["report_datasets"], datasets)]
    return xlsxwrite.workbook(
        [(name[:31], header, rows, "DD/MM/YYYY") for name, (header, rows) in tables],
        title=f"{report['title']}: {report['scope']}",
        created=dt.datetime.fromisoformat(report["today"]),
        widths=[_widths(header, rows) for _, (header, rows) in tables],
        creator="citycat",
    )


# The charts in the PDF: as wide as before (the progress chart's 520 units are 104 mm, the
# standards' 320 are 90 mm, paged.css), their labels 8.5 and 9.5 pt there, laid out for that size.
PDF_CHART_SIZES = {
    "progress": {"width": 520, "font": 15, "label_share": 0.5},
    "standards": {"width": 320, "font": 12},
}
# The charts' styles, inside each SVG: WeasyPrint draws an inline SVG with the styles it carries,
# not the page's (without these, every bar is black and the labels are in a sans-serif).
CHART_STYLE = charts.css('"Liberation Serif", serif')
PDF_CHART_AGENCIES = 30  # 104 mm wide, the progress chart of 30 agencies is 150 mm high


def pdf(report: dict[str, Any], t: dict[str, str], issuer: str = "") -> bytes:
    """The report on A4 landscape, laid out like the edition's annex (``citycat.edition.paged``):
    the heading block under ``issuer`` (the catalogue's ``edition.issuer``), the title and date,
    then each section as a table whose header repeats on every page, and the two charts (the
    progress chart only while it fits a page: up to ``PDF_CHART_AGENCIES`` agencies; an SVG is
    not cut across pages)."""
    from markupsafe import Markup

    from citycat.edition import paged

    opening = 'xmlns="http://www.w3.org/2000/svg">'
    drawn = _charts(report["ranking"], report["summary"], t, report["standards"], PDF_CHART_SIZES)
    charts_svg = {  # built from escaped text; the style is a constant
        k: Markup(v.replace(opening, f"{opening}<style>{CHART_STYLE}</style>", 1)) for k, v in drawn.items()
    }
    if sum(1 for r in report["ranking"] if r["datasets"]) > PDF_CHART_AGENCIES:
        charts_svg["progress"] = ""
    document = paged.html(
        "report.html", r=report, t=t, issuer=issuer, charts=charts_svg, date=_date, sharing_list=sharing_list
    )
    return paged.pdf(document)


def _widths(header: list[str], rows: list[list[Any]]) -> list[int]:
    """Each column as wide as its longest value among the first 200 cells (8 to 60 characters)."""
    cells = [header, *rows[:199]]
    return [min(max(8, max(len(str(row[i] or "")) for row in cells) + 2), 60) for i in range(len(header))]


def _date(iso: str | None) -> str:
    return i18n.date(dt.date.fromisoformat(iso)) if iso else ""


def _num(value: Any) -> str:
    return "–" if value is None else str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value} %"


def _md(text: Any) -> str:
    """Text in a Markdown table cell: no pipes or line breaks, no markup."""
    out = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out
