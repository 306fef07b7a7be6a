"""Quality-marker screening: where does a report show each of the 18 SCR Quality Markers?

Markers are scored like themes (`lip_research.themes`, codebook ``quality_markers``). For
every report and marker this module keeps the strongest evidence passages, or says
"no evidence found". It is a *screening aid* for commissioners and lead reviewers: it
points to passages to read. It is not a verdict on a review's quality - several markers
(referral, advice to the board, implementation) are mostly evidenced outside the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lip_research.codebook import Entry
from lip_research.lexical import citation, excerpt

NO_EVIDENCE = "no evidence found"
SCREENING_NOTE = (
    "Screening aid, not a verdict: a marker with no evidence in the report may still have "
    "been met (much of the evidence sits in board papers), and a matched passage shows only "
    "that the report discusses the marker. Read the passages."
)
SCREEN_COLUMNS = [
    "doc_id",
    "marker_id",
    "number",
    "group",
    "label",
    "evidence_found",
    "n_passages",
    "best_passage",
    "best_score",
    "citation",
    "excerpt",
    "other_passages",
    "method",
]


def screen(
    coded: pd.DataFrame,
    presence: pd.DataFrame,
    passages: pd.DataFrame,
    markers: Sequence[Entry],
    top_n: int = 3,
) -> pd.DataFrame:
    """One row per report and marker: evidence found?, best passage with citation and quote.

    `coded` and `presence` are `themes.code_passages` / `themes.document_presence` outputs
    for the marker entries. Rows without evidence say ``no evidence found``.
    """
    ids = [m.id for m in markers]
    info = {m.id: m for m in markers}
    pres = presence[presence["theme_id"].isin(ids)].copy()
    hits = coded[coded["theme_id"].isin(ids)].sort_values(
        ["doc_id", "theme_id", "score"], ascending=[True, True, False]
    )
    best = hits.groupby(["doc_id", "theme_id"]).head(top_n)
    grouped = {key: g for key, g in best.groupby(["doc_id", "theme_id"])}
    meta = passages.set_index("passage_id")
    rows = []
    for doc_id, marker_id, present, n, method in zip(
        pres["doc_id"],
        pres["theme_id"],
        pres["present"],
        pres["n_passages"],
        pres["method"],
        strict=True,
    ):
        m = info[marker_id]
        row = {
            "doc_id": doc_id,
            "marker_id": marker_id,
            "number": m.number,
            "group": m.group,
            "label": m.label,
        }
        row |= {"evidence_found": bool(present), "n_passages": int(n), "method": method}
        g = grouped.get((doc_id, marker_id))
        if present and g is not None:
            pid = g["passage_id"].iloc[0]
            p = meta.loc[pid]
            row |= {
                "best_passage": pid,
                "best_score": float(g["score"].iloc[0]),
                "citation": citation(
                    doc_id, p.get("section"), p.get("page_start"), p.get("page_end")
                ),
                "excerpt": excerpt(p["text"]),
                "other_passages": ";".join(map(str, g["passage_id"].iloc[1:])),
            }
        else:
            row |= {
                "best_passage": "",
                "best_score": float("nan"),
                "citation": "",
                "excerpt": NO_EVIDENCE,
                "other_passages": "",
            }
        rows.append(row)
    out = pd.DataFrame(rows, columns=SCREEN_COLUMNS)
    out["number"] = out["number"].astype("Int64")
    return out.sort_values(["doc_id", "number", "marker_id"], ignore_index=True)


def coverage(screening: pd.DataFrame) -> pd.DataFrame:
    """Per marker: reports with evidence (n_with_evidence), denominator, percent."""
    n_docs = screening["doc_id"].nunique()
    table = (
        screening.groupby(["marker_id", "number", "group", "label"], dropna=False)["evidence_found"]
        .sum()
        .rename("n_with_evidence")
        .reset_index()
    )
    table["n_with_evidence"] = table["n_with_evidence"].astype(int)
    table["denominator"] = n_docs
    table["percent"] = (100 * table["n_with_evidence"] / max(n_docs, 1)).round(1)
    return table.sort_values(["number", "marker_id"], ignore_index=True)


def report_profile(screening: pd.DataFrame) -> pd.DataFrame:
    """Per report: markers with evidence out of those screened, per marker group."""
    table = (
        screening.groupby(["doc_id", "group"])["evidence_found"].agg(["sum", "size"]).reset_index()
    )
    table = table.rename(columns={"sum": "n_with_evidence", "size": "n_markers"})
    table["n_with_evidence"] = table["n_with_evidence"].astype(int)
    return table
