"""One-page thematic briefings (Markdown, self-contained HTML, Word) for any codebook entry.

A briefing gathers: the definition and its sources; prevalence (n of N reports) and its
trend by year; review models; linked themes (co-occurring in the same reports) and linked
topics (if a topic model was run); and 3-6 short passages from different reports, each
cited by doc / section / page. `briefing_data` computes; `render_markdown`, `render_html`
and `render_docx` only format, so a notebook can show or restyle the same content.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lip_research.codebook import Codebook, Entry
from lip_research.lexical import citations, excerpt, near_duplicate, shingles
from lip_research.prevalence import cooccurrence, prevalence, trend, value_names
from lip_research.quality import SCREENING_NOTE

CAVEAT = (
    "Automatic coding: passages were matched to the codebook by similarity and calibrated "
    "thresholds, so some passages will be missed or wrongly included. {counts}, terms of "
    "reference and recommendations included: a theme discussed in a report was not necessarily "
    "a feature of the case, and it says nothing on its own about causation or blame. Read the "
    "cited passages in context."
)


def _counts(k: int) -> str:
    """How many coded passages make a report count (``k`` from the presence table)."""
    if k <= 1:
        return "A report counts when any of its passages is coded"
    return f"A report counts when {k} or more of its passages are coded (1 in a very short report)"


ZERO_SHOT_CAVEAT = (
    "Coded zero-shot, with thresholds calibrated on the sample corpus of case reviews; "
    "on another kind of report (inspections, say) prevalence can be far off: check the coding "
    "of a few reports, or label some and use method supervised."
)


@dataclass(frozen=True)
class Briefing:
    theme_id: str
    data: dict[str, Any]
    markdown: str
    html: str
    docx: bytes


def linked_topics(
    coded: pd.DataFrame, topics: pd.DataFrame, theme_id: str, top: int = 3
) -> pd.DataFrame:
    """Topics over-represented among the theme's passages: topic, label, n, share, lift.

    `topics` has passage_id, topic and optionally label (a topic model's assignments;
    outliers ``-1`` are ignored).
    """
    t = topics[topics["topic"] != -1]
    if "label" not in t:
        t = t.assign(label=t["topic"].astype(str))
    mine = t[t["passage_id"].isin(coded.loc[coded["theme_id"] == theme_id, "passage_id"])]
    if mine.empty:
        return pd.DataFrame(columns=["topic", "label", "n", "share", "lift"])
    overall = t["topic"].value_counts(normalize=True)
    table = mine.groupby(["topic", "label"]).size().rename("n").reset_index()
    table["share"] = (table["n"] / len(mine)).round(3)
    table["lift"] = (table["share"] / table["topic"].map(overall)).round(2)
    table = table[table["lift"] > 1]
    return table.sort_values(["n", "lift"], ascending=False).head(top).reset_index(drop=True)


def representative_passages(
    coded: pd.DataFrame, passages: pd.DataFrame, theme_id: str, n: int = 5
) -> pd.DataFrame:
    """The strongest coded passages, one per report, skipping near-duplicates of those
    already chosen (reports often repeat standard wording)."""
    mine = coded[coded["theme_id"] == theme_id].sort_values("score", ascending=False)
    text = passages.set_index("passage_id")["text"]
    chosen, seen_docs, seen_text = [], set(), []
    for pid, doc in zip(mine["passage_id"], mine["doc_id"], strict=True):
        if doc in seen_docs:
            continue
        sh = shingles(text.get(pid, ""))
        if any(near_duplicate(sh, other) for other in seen_text):
            continue
        chosen.append(pid)
        seen_docs.add(doc)
        seen_text.append(sh)
        if len(chosen) == n:
            break
    mine = mine[mine["passage_id"].isin(chosen)]
    meta = passages.set_index("passage_id").reindex(mine["passage_id"])
    out = mine[["passage_id", "doc_id", "score"]].reset_index(drop=True)
    out["citation"] = citations(meta.assign(doc_id=out["doc_id"].to_numpy()))
    out["excerpt"] = [excerpt(t) for t in meta["text"]]
    return out


def briefing_data(
    entry: Entry,
    book: Codebook,
    presence: pd.DataFrame,
    coded: pd.DataFrame,
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    topics: pd.DataFrame | None = None,
    n_passages: int = 5,
    by: Sequence[str] = ("review_model",),
    corpus_name: str = "corpus",
    method: str = "",
    calibration: tuple[float, float] | None = None,
    theme_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a briefing shows, as plain data (tables as DataFrames).

    ``calibration``: the zero-shot coding's F1 for reports and for passages on the labelled
    sample corpus, said in the caveat.

    ``theme_labels`` (theme id -> label, across all loaded codebooks) names linked themes;
    without it they are named by this codebook's labels, else by id.
    """
    mine = presence[presence["theme_id"] == entry.id]
    n, total = int(mine["present"].sum()), int(mine["doc_id"].nunique())
    years = pd.to_numeric(documents.get("year", pd.Series(dtype=float)), errors="coerce")
    present_docs = set(mine.loc[mine["present"], "doc_id"].astype(str))
    doc_years = years[documents["doc_id"].astype(str).isin(present_docs)] if len(years) else years
    breakdowns = {
        col: prevalence(mine, documents, by=col)[[col, "n_present", "denominator", "percent"]]
        for col in by
        if col in documents.columns
    }
    return {
        "theme_id": entry.id,
        "label": entry.label,
        "codebook": book.title,
        "group": entry.group,
        "description": entry.description,
        "sources": book.citations(entry),
        "corpus": corpus_name,
        "method": method,
        "n_present": n,
        "denominator": total,
        "percent": round(100 * n / total, 1) if total else 0.0,
        "first_year": int(doc_years.min()) if doc_years.notna().any() else None,
        "last_year": int(doc_years.max()) if doc_years.notna().any() else None,
        "year_span": (int(years.min()), int(years.max())) if years.notna().any() else None,
        "n_passages": int(mine.loc[mine["present"], "n_passages"].sum()),
        "trend": trend(mine, documents, entry.id)
        if "year" in documents.columns and years.notna().any()
        else pd.DataFrame(),
        "breakdowns": breakdowns,
        "value_names": {col: value_names(documents, col) for col in breakdowns},
        "linked_themes": _labelled(cooccurrence(presence, entry.id).head(5), book, theme_labels),
        "linked_topics": linked_topics(coded, topics, entry.id)
        if topics is not None
        else pd.DataFrame(),
        "passages": representative_passages(
            coded, passages, entry.id, n=max(3, min(6, n_passages))
        ),
        "markers": book.id == "quality_markers",
        "caveat": (f"{SCREENING_NOTE} " if book.id == "quality_markers" else "")
        + CAVEAT.format(counts=_counts(int(mine["k"].max()) if "k" in mine and len(mine) else 1))
        + (f" {ZERO_SHOT_CAVEAT}" if method == "zero_shot" else "")
        + (_calibration_note(*calibration) if calibration else ""),
    }


def _calibration_note(f1_reports: float, f1_passages: float) -> str:
    weak = " Under 0.4, many quoted passages are not about the theme." if f1_passages < 0.4 else ""
    return (
        f" On the labelled sample corpus, where its threshold was fitted (so an optimistic "
        f"figure), this coding scored F1 {f1_reports:.2f} for which reports have it and "
        f"{f1_passages:.2f} for which passages.{weak}"
    )


def _labelled(
    linked: pd.DataFrame, book: Codebook, labels: Mapping[str, str] | None
) -> pd.DataFrame:
    names = {e.id: e.label for e in book.entries} | dict(labels or {})
    return linked.assign(label=[names.get(t, t) for t in linked["other_theme"]])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _sentences(d: dict[str, Any]) -> dict[str, Any]:
    """The briefing's text lines, worded once for every rendering: 'by' (one line per
    breakdown), 'themes' and 'topics' (None when there are none) and the closing 'caveat'."""
    names = d.get("value_names", {})
    by = [
        f"By {col.replace('_', ' ')}: "
        + "; ".join(
            f"{names.get(col, {}).get(str(r.iloc[0]), r.iloc[0])} {r.n_present}/{r.denominator}"
            for _, r in table.iterrows()
        )
        + "."
        for col, table in d["breakdowns"].items()
    ]
    themes = [f"{r.label} ({r.n_both})" for r in d["linked_themes"].itertuples()]
    topics = [f"{r.label} ({_count(r.n, 'passage')})" for r in d["linked_topics"].itertuples()]
    return {
        "by": by,
        "themes": f"Most often in the same reports: {'; '.join(themes)}." if themes else None,
        "topics": f"{'; '.join(topics)}." if topics else None,
        "caveat": d["caveat"] + (f" Method: {d['method']}." if d["method"] else ""),
    }


def _headline(d: dict[str, Any]) -> str:
    span = f" published {d['year_span'][0]}-{d['year_span'][1]}" if d["year_span"] else ""
    found = "Evidence found in" if d.get("markers") else "Discussed in"
    text = f"{found} {d['n_present']} of {d['denominator']} reports ({d['percent']}%){span}"
    if d["first_year"] is not None:
        text += f"; first seen {d['first_year']}, most recent {d['last_year']}"
    return text + f"; {d['n_passages']} coded passages."


def render_markdown(d: dict[str, Any]) -> str:
    lines = [
        f"# {d['label']}",
        "",
        f"*Thematic briefing - {d['codebook']} (`{d['theme_id']}`), {d['corpus']}*",
        "",
    ]
    lines += ["## What it is", "", d["description"], ""]
    lines += [f"Sources: {'; '.join(d['sources'])}", ""]
    lines += ["## How often", "", _headline(d), ""]
    if len(d["trend"]):
        lines += ["| year | reports with theme | reports | % |", "|---|---|---|---|"]
        lines += [
            f"| {r.iloc[0]} | {r.n_present} | {r.denominator} | {r.percent} |"
            for _, r in d["trend"].iterrows()
        ]
        lines.append("")
    said = _sentences(d)
    for line in said["by"]:
        lines += [line, ""]
    if said["themes"]:
        lines += ["## Linked themes", "", said["themes"], ""]
    if said["topics"]:
        lines += ["## Linked topics", "", said["topics"], ""]
    lines += ["## In the reports' words", ""]
    if not len(d["passages"]):
        lines += ["No passage was coded with this theme.", ""]
    for r in d["passages"].itertuples():
        lines += [f"> {r.excerpt}", f"> - {r.citation}", ""]
    lines += ["---", "", f"*{said['caveat']}*", ""]
    return "\n".join(lines)


def _svg_trend(table: pd.DataFrame, width: int = 520, height: int = 110) -> str:
    """Bars of % of reports per year; a year between two with reports but none itself keeps
    its place, labelled "no reports", so the axis never closes up a gap."""
    if not len(table):
        return ""
    years = pd.to_numeric(table.iloc[:, 0], errors="coerce")
    if years.notna().all() and (years % 1 == 0).all() and years.max() - years.min() < 100:
        slots = list(range(int(years.min()), int(years.max()) + 1))
        rows = dict(zip(years.astype(int), table.itertuples(index=False), strict=True))
    else:
        slots, rows = list(range(len(table))), dict(enumerate(table.itertuples(index=False)))
    bar = width / len(slots)
    parts = [
        f'<svg viewBox="0 0 {width} {height + 30}" width="100%" role="img" aria-label="prevalence by year">'
    ]
    for i, slot in enumerate(slots):
        r = rows.get(slot)
        if r is None:
            parts.append(
                f'<text x="{i * bar + bar / 2:.1f}" y="{height + 14}" font-size="10" '
                f'text-anchor="middle" fill="#999">{slot}</text>'
                f'<text x="{i * bar + bar / 2:.1f}" y="{height + 26}" font-size="8" '
                'text-anchor="middle" fill="#999">no reports</text>'
            )
            continue
        h = height * float(r.percent) / 100
        x = i * bar
        title = f"{r[0]}: {r.n_present} of {r.denominator} reports ({r.percent}%)"
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" fill="#3a6ea5">'
            f"<title>{html.escape(title)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height + 14}" font-size="10" text-anchor="middle">{html.escape(str(r[0]))}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height + 26}" font-size="9" text-anchor="middle" fill="#555">{r.n_present}/{r.denominator}</text>'
        )
    return "".join(parts) + "</svg>"


def render_html(d: dict[str, Any], top: int = 1) -> str:
    """The briefing as an HTML page; its title an ``<h{top}>``, its parts one level below
    (``top=3`` where a report shows it under its own headings)."""
    e = html.escape
    h1, h2 = f"h{top}", f"h{top + 1}"
    # Every rule is scoped to the briefing's own <div>: a notebook shows this document inline,
    # and unscoped rules (body, h1, blockquote) would restyle the whole JupyterLab page.
    css = (
        "".join(
            f".lip-briefing{selector}{{{rule}}}"
            for selector, rule in (
                (
                    "",
                    "font-family:Georgia,serif;max-width:46em;margin:1.5em auto;color:#222;line-height:1.4",
                ),
                (f" {h1}", "font-size:1.5em;margin-bottom:0"),
                (f" {h2}", "font-size:1.1em;border-bottom:1px solid #ccc;margin-top:1.1em"),
                (" .sub", "color:#555;font-style:italic"),
                (" .headline", "font-weight:bold"),
                (
                    " blockquote",
                    "margin:.6em 0;padding:.3em .8em;border-left:3px solid #3a6ea5;background:#f5f7fa",
                ),
                (" cite", "display:block;font-size:.85em;color:#555"),
                (
                    " .caveat",
                    "font-size:.8em;color:#555;border-top:1px solid #ccc;margin-top:1.5em;padding-top:.5em",
                ),
            )
        )
        # one A4 page when printed: smaller type, tighter spacing
        + "@page{size:A4;margin:12mm 14mm}"
        + "@media print{.lip-briefing{margin:0;max-width:none;font-size:9pt;line-height:1.3}"
        + f".lip-briefing {h2}{{margin:.6em 0 .2em}}.lip-briefing p{{margin:.3em 0}}"
        + ".lip-briefing blockquote{margin:.3em 0;padding:.15em .6em}}"
    )
    body = [
        f"<{h1}>{e(d['label'])}</{h1}>",
        f"<p class='sub'>Thematic briefing - {e(d['codebook'])} (<code>{e(d['theme_id'])}</code>), {e(d['corpus'])}</p>",
    ]
    body += [
        f"<{h2}>What it is</{h2}>",
        f"<p>{e(d['description'])}</p>",
        f"<p class='sub'>Sources: {e('; '.join(d['sources']))}</p>",
    ]
    body += [
        f"<{h2}>How often</{h2}>",
        f"<p class='headline'>{e(_headline(d))}</p>",
        _svg_trend(d["trend"]),
    ]
    said = _sentences(d)
    body += [f"<p>{e(line)}</p>" for line in said["by"]]
    if said["themes"]:
        body += [f"<{h2}>Linked themes</{h2}>", f"<p>{e(said['themes'])}</p>"]
    if said["topics"]:
        body += [f"<{h2}>Linked topics</{h2}>", f"<p>{e(said['topics'])}</p>"]
    body.append(f"<{h2}>In the reports' words</{h2}>")
    if not len(d["passages"]):
        body.append("<p>No passage was coded with this theme.</p>")
    for r in d["passages"].itertuples():
        body.append(f"<blockquote>{e(r.excerpt)}<cite>{e(r.citation)}</cite></blockquote>")
    body.append(f"<p class='caveat'>{e(said['caveat'])}</p>")
    title = e(f"{d['label']} - briefing")
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{css}</style></head><body><div class='lip-briefing'>\n"
        + "\n".join(body)
        + "\n</div></body></html>\n"
    )


def render_docx(d: dict[str, Any]) -> bytes:
    """The briefing as a Word document, for circulating and editing; same content as HTML."""
    import datetime as dt
    import io as _io

    from docx import Document
    from docx.shared import Mm, Pt

    from lip_research.io import fixed_zip_times

    doc = Document()
    for section in doc.sections:  # A4, as UK partnerships print
        section.page_width, section.page_height = Mm(210), Mm(297)
    doc.styles["Normal"].font.size = Pt(10.5)
    props = doc.core_properties
    props.title, props.author = f"{d['label']} - briefing", "lip_research"
    props.created = props.modified = dt.datetime(2000, 1, 1)  # fixed: reruns give equal bytes
    props.revision = 1
    doc.add_heading(d["label"], level=0)
    sub = doc.add_paragraph()
    sub.add_run(
        f"Thematic briefing - {d['codebook']} ({d['theme_id']}), {d['corpus']}"
    ).italic = True
    doc.add_heading("What it is", level=1)
    doc.add_paragraph(d["description"])
    doc.add_paragraph().add_run(f"Sources: {'; '.join(d['sources'])}").italic = True
    doc.add_heading("How often", level=1)
    doc.add_paragraph().add_run(_headline(d)).bold = True
    if len(d["trend"]):
        rows = [
            (str(r.iloc[0]), str(r.n_present), str(r.denominator), str(r.percent))
            for _, r in d["trend"].iterrows()
        ]
        table = doc.add_table(rows=1, cols=4)
        table.style = "Light List Accent 1"
        for cell, text in zip(
            table.rows[0].cells, ("year", "reports with theme", "reports", "%"), strict=True
        ):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    said = _sentences(d)
    for line in said["by"]:
        doc.add_paragraph(line)
    if said["themes"]:
        doc.add_heading("Linked themes", level=1)
        doc.add_paragraph(said["themes"])
    if said["topics"]:
        doc.add_heading("Linked topics", level=1)
        doc.add_paragraph(said["topics"])
    doc.add_heading("In the reports' words", level=1)
    if not len(d["passages"]):
        doc.add_paragraph("No passage was coded with this theme.")
    for r in d["passages"].itertuples():
        quote = doc.add_paragraph(r.excerpt, style="Quote")
        quote.add_run(f"\n{r.citation}").font.size = Pt(9)
    doc.add_paragraph().add_run(said["caveat"]).font.size = Pt(8.5)
    buffer = _io.BytesIO()
    doc.save(buffer)
    return fixed_zip_times(buffer.getvalue(), (2000, 1, 1, 0, 0, 0))


def build_briefing(entry: Entry, book: Codebook, **inputs: Any) -> Briefing:
    """`briefing_data` then both renderings; keyword arguments as for `briefing_data`."""
    data = briefing_data(entry, book, **inputs)
    return Briefing(entry.id, data, render_markdown(data), render_html(data), render_docx(data))
