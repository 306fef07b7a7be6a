"""All lenses of one corpus at once: theme coding, prevalence, national comparison, quality
markers and the 'why' lens (`run_lenses`), and the calibration of the shipped zero-shot
thresholds (`calibrate_defaults`). Pure: tables in, tables out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from lip_research import briefing, lens_eval, prevalence, quality, themes
from lip_research.codebook import Codebook, all_entries, find_entry
from lip_research.lenses import (
    MARKER_CODEBOOK,
    Coding,
    Embedder,
    LensParams,
    Training,
    WhyResult,
    code_corpus,
    find_why,
    zero_shot,
)


@dataclass(frozen=True)
class LensOutputs:
    """All lens tables of one corpus (see `run_lenses`)."""

    books: tuple[Codebook, ...]
    themes: Coding
    markers: Coding | None
    screening: pd.DataFrame
    coverage: pd.DataFrame
    why: WhyResult
    summary: pd.DataFrame
    by: dict[str, pd.DataFrame]
    national: pd.DataFrame


ZERO_SHOT_CAUTION = "Note: " + briefing.ZERO_SHOT_CAVEAT


def split_books(books: Sequence[Codebook]) -> tuple[tuple[Codebook, ...], Codebook | None]:
    """(theme codebooks, the quality-marker codebook or None)."""
    markers = next((b for b in books if b.id == MARKER_CODEBOOK), None)
    return tuple(b for b in books if b.id != MARKER_CODEBOOK), markers


def run_lenses(
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    vectors: np.ndarray,
    embed: Embedder,
    books: Sequence[Codebook],
    params: LensParams,
    labels: lens_eval.Labels | None = None,
    national: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> LensOutputs:
    """Theme coding, prevalence, national comparison, marker screening and the 'why' lens.

    With `labels` and a method other than ``zero_shot``, the supervised layer is trained on
    every labelled report and codes all reports.
    """
    theme_books, marker_book = split_books(books)
    entries = all_entries(theme_books)
    if not entries:
        from lip_research.codebook import CodebookError

        raise CodebookError(
            "no theme codebook given: add practice_issues (or your own) to themes.codebooks"
        )
    supervised_run = labels is not None and params.method != "zero_shot"
    problem = (
        lens_eval.labels_problem(labels, passages, [e.id for e in entries])
        if supervised_run
        else None
    )
    if problem and params.method == "supervised":
        raise lens_eval.LabelsError(f"{problem}: use method zero_shot, or labels of this corpus")
    if problem:  # method auto: the labels do not fit this corpus, so code it zero-shot
        print(f"Note: {problem}; coding zero-shot with the shipped thresholds.")
        supervised_run = False
    if not supervised_run:
        print(ZERO_SHOT_CAUTION)
    alignment = lens_eval.align_paragraphs(passages, labels.paragraphs) if supervised_run else None
    train_docs = tuple(labels.doc_ids) if supervised_run else ()

    def training(ids: list[str], markers: bool) -> Training | None:
        if not supervised_run:
            return None
        y, truth = lens_eval.targets(passages, labels, alignment, ids, markers=markers)
        return Training(y, truth, train_docs)

    coding = code_corpus(
        passages, vectors, entries, embed, params, training([e.id for e in entries], False)
    )
    marker_coding, screening, cover = (
        None,
        pd.DataFrame(columns=quality.SCREEN_COLUMNS),
        pd.DataFrame(),
    )
    if marker_book is not None:
        ids = list(marker_book.ids)
        marker_coding = code_corpus(
            passages, vectors, marker_book.entries, embed, params, training(ids, True)
        )
        screening = quality.screen(
            marker_coding.coded, marker_coding.presence, passages, marker_book.entries
        )
        cover = quality.coverage(screening)
    why_labels = (
        lens_eval.passage_flag(passages, alignment, labels.paragraphs, "why")
        if supervised_run
        else None
    )
    why_result = find_why(passages, vectors, embed, params, why_labels, train_docs)
    summary = prevalence.theme_summary(coding.presence, documents, entries)
    by = {
        col: prevalence.prevalence(coding.presence, documents, by=col, entries=entries)
        for col in prevalence.metadata_columns(documents)
    }
    figures, sources = national if national is not None else (pd.DataFrame(), pd.DataFrame())
    comparison = (
        prevalence.national_comparison(summary, figures, sources)
        if len(figures)
        else pd.DataFrame()
    )
    return LensOutputs(
        tuple(books), coding, marker_coding, screening, cover, why_result, summary, by, comparison
    )


def calibrate_defaults(
    passages: pd.DataFrame,
    vectors: np.ndarray,
    embed: Embedder,
    books: Sequence[Codebook],
    params: LensParams,
    labels: lens_eval.Labels,
) -> pd.DataFrame:
    """Zero-shot thresholds for every entry (and the 'why' score) calibrated on ALL labelled
    reports: the table shipped as ``codebooks/thresholds.csv`` for corpora without labels."""
    alignment = lens_eval.align_paragraphs(passages, labels.paragraphs)
    present = set(passages["doc_id"].astype(str))
    docs = [d for d in labels.doc_ids if d in present]
    source = f"calibrated on {len(docs)} labelled sample reports"
    tables = []
    theme_books, marker_book = split_books(books)
    for group, markers in (
        (all_entries(theme_books), False),
        (marker_book.entries if marker_book else (), True),
    ):
        if not group:
            continue
        ids = [e.id for e in group]
        y, truth = lens_eval.targets(passages, labels, alignment, ids, markers=markers)
        zs = zero_shot(passages, vectors, group, embed, params)
        tables.append(
            lens_eval.calibrate(
                zs, y, passages["doc_id"].astype(str), lens_eval.document_labels(truth, docs, ids), docs, ids,
                "zero_shot", params.backend, doc_weight=params.doc_weight, source=source,
            )
        )  # fmt: skip
    flag = lens_eval.passage_flag(passages, alignment, labels.paragraphs, "why")
    result = find_why(passages, vectors, embed, replace(params, method="zero_shot"), flag, docs)
    known = flag.notna().to_numpy()
    f1 = lens_eval.binary_metrics(
        result.detected["why"].to_numpy()[known], flag[known].astype(bool)
    )["f1"]
    why_row = {
        "theme_id": "why",
        "method": "zero_shot",
        "backend": params.backend,
        "threshold": result.threshold,
        "k": 1,
    }
    why_row |= {
        "source": source,
        "n_positive": int(flag.fillna(False).astype(bool).sum()),
        "f1_passage": f1,
        "f1_document": np.nan,
    }
    return pd.concat([*tables, pd.DataFrame([why_row])], ignore_index=True)


def default_briefing_themes(outputs: LensOutputs, n: int = 1) -> list[str]:
    """The `n` most prevalent practice issues (or themes, without that codebook)."""
    issues = {e.id for b in outputs.books if b.id == "practice_issues" for e in b.entries}
    summary = outputs.summary
    ranked = summary[summary["theme_id"].isin(issues or set(summary["theme_id"]))]
    return list(ranked["theme_id"].head(n))


def corpus_title(corpus) -> str:
    """'sample corpus, 48 reports': the folder the user named, not the ingested copy's name."""
    name = Path(corpus.source or corpus.path or "corpus").name
    if corpus.source is None:
        name = re.sub(r"-[0-9a-f]{8}$", "", name)  # ingested folders are '<name>-<hash8>'
    return f"{name} corpus, {len(corpus.documents)} reports"


def briefings(
    outputs: LensOutputs,
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    theme_ids: Sequence[str] = (),
    topics: pd.DataFrame | None = None,
    corpus_name: str = "corpus",
    by: Sequence[str] = ("review_model",),
) -> list[briefing.Briefing]:
    """One briefing per theme or marker id (default: the most prevalent practice issue).

    `topics` (optional): passage_id, topic, label from a topic model, for linked topics;
    `by`: the metadata columns its prevalence is broken down by.
    """
    ids = list(theme_ids) or default_briefing_themes(outputs)
    marker_ids = set(outputs.markers.entry_ids) if outputs.markers is not None else set()
    labels = {e.id: e.label for book in outputs.books for e in book.entries}
    out = []
    for theme_id in ids:
        entry = find_entry(outputs.books, theme_id)
        book = next(b for b in outputs.books if b.id == entry.codebook)
        coding = outputs.markers if theme_id in marker_ids else outputs.themes
        backends = set(coding.thresholds.get("backend", ()))
        calibration = (
            themes.calibration_f1(theme_id, backends.pop(), coding.thresholds)
            if coding.method == "zero_shot" and len(backends) == 1
            else None
        )
        out.append(
            briefing.build_briefing(
                entry,
                book,
                presence=coding.presence,
                coded=coding.coded,
                passages=passages,
                documents=documents,
                topics=topics,
                corpus_name=corpus_name,
                method=coding.method,
                calibration=calibration,
                theme_labels=labels,
                by=by,
            )  # fmt: skip
        )
    return out
