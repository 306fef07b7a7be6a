"""Labels, held-out splits, calibration and accuracy figures for the lenses.

Labelled corpora (the bundled sample) mark *paragraphs*; ingestion cuts *passages* that may
join or split paragraphs. `align_paragraphs` matches them by shared word 4-grams, so the
labels follow the text whatever the passage cutter did. Reports are split into a TRAIN and
a TEST half by a seeded hash of their ids (`split_documents`); thresholds are calibrated on
TRAIN only (`calibrate`) and every figure reported is measured on TEST.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lip_research.lexical import shingles


# -- split ------------------------------------------------------------------------------------
def split_documents(
    doc_ids: Sequence[str], seed: int, test_share: float = 0.5
) -> tuple[list[str], list[str]]:
    """(train, test) doc ids: sorted by sha256(seed:doc_id), the first `test_share` is TEST."""
    ids = sorted(set(map(str, doc_ids)))
    order = sorted(ids, key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).hexdigest())
    n_test = int(round(len(ids) * test_share))
    test = sorted(order[:n_test])
    train = sorted(order[n_test:])
    return train, test


# -- aligning labelled paragraphs with passages -------------------------------------------------
def align_paragraphs(
    passages: pd.DataFrame, paragraphs: pd.DataFrame, min_share: float = 0.5
) -> pd.DataFrame:
    """Which labelled paragraphs each passage holds.

    A paragraph belongs to a passage when at least `min_share` of the paragraph's 4-grams
    are in the passage, or it makes up at least `min_share` of the passage's 4-grams.
    Returns passage_id, doc_id, para_index, share (of the passage's 4-grams).
    """
    rows = []
    paras = {d: g for d, g in paragraphs.groupby("doc_id")}
    for doc_id, group in passages.groupby("doc_id", sort=False):
        if doc_id not in paras:
            continue
        para_sh = [
            (int(i), shingles(t))
            for i, t in zip(paras[doc_id]["para_index"], paras[doc_id]["text"], strict=True)
        ]
        for pid, text in zip(group["passage_id"], group["text"], strict=True):
            sh = shingles(text)
            if not sh:
                continue
            for idx, psh in para_sh:
                if not psh:
                    continue
                common = len(sh & psh)
                if common and (common / len(psh) >= min_share or common / len(sh) >= min_share):
                    rows.append((pid, doc_id, idx, round(common / len(sh), 4)))
    return pd.DataFrame(rows, columns=["passage_id", "doc_id", "para_index", "share"])


def passage_labels(
    passages: pd.DataFrame,
    alignment: pd.DataFrame,
    paragraph_themes: pd.DataFrame,
    entry_ids: Sequence[str],
) -> np.ndarray:
    """Boolean (n_passages, n_entries): the passage holds a paragraph labelled with the entry.

    `paragraph_themes` has doc_id, para_index, theme_id (the sample's passage_themes.csv, or
    paragraph markers renamed to theme_id).
    """
    merged = alignment.merge(paragraph_themes, on=["doc_id", "para_index"])
    col = {t: j for j, t in enumerate(entry_ids)}
    row = {p: i for i, p in enumerate(passages["passage_id"])}
    out = np.zeros((len(passages), len(entry_ids)), dtype=bool)
    for pid, theme in zip(merged["passage_id"], merged["theme_id"], strict=True):
        if theme in col and pid in row:
            out[row[pid], col[theme]] = True
    return out


def passage_flag(
    passages: pd.DataFrame, alignment: pd.DataFrame, paragraphs: pd.DataFrame, column: str
) -> pd.Series:
    """A boolean paragraph flag (e.g. ``why``) carried to passages by share-weighted majority.

    NaN where a passage holds no labelled paragraph.
    """
    merged = alignment.merge(
        paragraphs[["doc_id", "para_index", column]], on=["doc_id", "para_index"]
    )
    merged["weight"] = merged["share"] * merged[column].astype(str).str.lower().isin(
        ["true", "1"]
    ).astype(float)
    agg = merged.groupby("passage_id").agg(yes=("weight", "sum"), total=("share", "sum"))
    flag = (agg["yes"] >= agg["total"] / 2).astype(float)
    return flag.reindex(passages["passage_id"]).set_axis(passages.index)


def document_labels(
    doc_themes: pd.DataFrame, doc_ids: Sequence[str], entry_ids: Sequence[str]
) -> np.ndarray:
    """Boolean (n_docs, n_entries) from a long table doc_id, theme_id."""
    pairs = set(zip(doc_themes["doc_id"].astype(str), doc_themes["theme_id"], strict=True))
    return np.array([[(d, t) in pairs for t in entry_ids] for d in doc_ids], dtype=bool)


# -- calibration -------------------------------------------------------------------------------
def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The threshold (a score value, applied as ``>=``) with the best F1, and that F1."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    if labels.sum() == 0 or len(scores) == 0:
        return float("nan"), 0.0
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    last = np.r_[s[1:] != s[:-1], True]  # only cut between distinct scores
    n = np.arange(1, len(s) + 1)
    f1 = np.where(last, 2 * tp / (n + labels.sum()), -1)
    i = int(np.argmax(f1))
    return float(s[i]), float(f1[i])


def _doc_f1(counts: np.ndarray, truth: np.ndarray, k: int) -> float:
    pred = counts >= k
    tp = int((pred & truth).sum())
    denom = int(pred.sum() + truth.sum())
    return 2 * tp / denom if denom else 1.0


def calibrate(
    scores: np.ndarray,
    labels: np.ndarray,
    passage_docs: Sequence[str],
    doc_truth: np.ndarray,
    doc_ids: Sequence[str],
    entry_ids: Sequence[str],
    method: str,
    backend: str,
    ks: Sequence[int] = (1, 2, 3),
    min_positives: int = 3,
    doc_weight: float = 0.5,
    source: str = "calibrated",
) -> pd.DataFrame:
    """Per entry, the passage threshold and report rule k that maximise
    ``doc_weight * F1(report) + (1 - doc_weight) * F1(passage)`` on the given (TRAIN) data.

    Candidate thresholds are the scores of labelled passages; ties go to the smaller k and
    the higher threshold. NaN scores (no model for that fold) are left out. Entries with
    fewer than `min_positives` labelled passages get the median threshold and k of the rest.
    Returns theme_id, method, backend, threshold, k, source, n_positive, f1_passage,
    f1_document (the last two on the calibration data).
    """
    docs = np.asarray(passage_docs, dtype=object)
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    doc_index = np.array([doc_pos.get(d, -1) for d in docs])
    rows = []
    for j, entry_id in enumerate(entry_ids):
        keep = (doc_index >= 0) & ~np.isnan(scores[:, j])
        col, y, di = scores[keep, j].astype(float), labels[keep, j].astype(bool), doc_index[keep]
        n_pos = int(y.sum())
        if n_pos < min_positives:
            rows.append([entry_id, np.nan, np.nan, n_pos, np.nan, np.nan])
            continue
        best = (-1.0, 0, 0.0, 0.0, 0.0)  # objective, -k, threshold, f1p, f1d
        for t in np.unique(col[y]):
            hit = col >= t
            tp = int((hit & y).sum())
            f1p = 2 * tp / (int(hit.sum()) + n_pos)
            counts = np.bincount(di[hit], minlength=len(doc_ids))
            for k in ks:
                f1d = _doc_f1(counts, doc_truth[:, j], k)
                cand = (doc_weight * f1d + (1 - doc_weight) * f1p, -k, float(t), f1p, f1d)
                if cand[:3] > best[:3]:
                    best = cand
        rows.append([entry_id, best[2], -best[1], n_pos, best[3], best[4]])
    table = pd.DataFrame(
        rows, columns=["theme_id", "threshold", "k", "n_positive", "f1_passage", "f1_document"]
    )
    ok = table["threshold"].notna()
    table["source"] = np.where(ok, source, f"{source} (too few positives: median of the others)")
    table["threshold"] = table["threshold"].fillna(
        float(table.loc[ok, "threshold"].median()) if ok.any() else 0.5
    )
    table["k"] = table["k"].fillna(int(table.loc[ok, "k"].median()) if ok.any() else 1).astype(int)
    table["method"], table["backend"] = method, backend
    table["threshold"] = np.floor(table["threshold"] * 1e5) / 1e5  # never above the cut score
    table[["f1_passage", "f1_document"]] = table[["f1_passage", "f1_document"]].round(4)
    cols = [
        "theme_id",
        "method",
        "backend",
        "threshold",
        "k",
        "source",
        "n_positive",
        "f1_passage",
        "f1_document",
    ]
    return table[cols]


# -- metrics ------------------------------------------------------------------------------------
def presence_metrics(
    presence: pd.DataFrame,
    doc_themes: pd.DataFrame,
    doc_ids: Sequence[str],
    entry_ids: Sequence[str],
) -> dict[str, float]:
    """Micro precision / recall / F1 over every report x entry pair of `doc_ids` x `entry_ids`."""
    docs, ents = set(map(str, doc_ids)), set(entry_ids)
    pred = presence[
        presence["present"]
        & presence["doc_id"].astype(str).isin(docs)
        & presence["theme_id"].isin(ents)
    ]
    pred_pairs = set(zip(pred["doc_id"].astype(str), pred["theme_id"], strict=True))
    truth = doc_themes[
        doc_themes["doc_id"].astype(str).isin(docs) & doc_themes["theme_id"].isin(ents)
    ]
    true_pairs = set(zip(truth["doc_id"].astype(str), truth["theme_id"], strict=True))
    return _prf(
        len(pred_pairs & true_pairs), len(pred_pairs - true_pairs), len(true_pairs - pred_pairs)
    ) | {"pairs": len(docs) * len(ents)}


def passage_metrics(pred: np.ndarray, truth: np.ndarray, entry_ids: Sequence[str]) -> pd.DataFrame:
    """Per-entry precision, recall, F1 and support; average rows with ``entry_id == 'macro'``."""
    rows = []
    for j, entry_id in enumerate(entry_ids):
        p, t = pred[:, j].astype(bool), truth[:, j].astype(bool)
        m = _prf(int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum()))
        rows.append({"entry_id": entry_id, **m, "support": int(t.sum())})
    table = pd.DataFrame(rows)
    supported = table[table["support"] > 0]
    macro = {"entry_id": "macro", "support": int(supported["support"].sum())}
    macro |= {
        c: round(float(supported[c].mean()), 4) if len(supported) else 0.0
        for c in ("precision", "recall", "f1")
    }
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)


def binary_metrics(pred: Sequence[bool], truth: Sequence[bool]) -> dict[str, float]:
    p, t = np.asarray(pred, dtype=bool), np.asarray(truth, dtype=bool)
    return _prf(int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum())) | {
        "accuracy": round(float((p == t).mean()), 4) if len(p) else 0.0
    }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


# -- labelled corpora ------------------------------------------------------------------------------
LABEL_COLUMNS = {
    "paragraphs": ("doc_id", "para_index", "section", "why", "marker", "text"),
    "passage_themes": ("doc_id", "para_index", "theme_id"),
    "document_themes": ("doc_id", "theme_id"),
    "document_markers": ("doc_id", "marker_id"),
}
MIN_LABELLED_REPORTS = 5  # fewer cannot fit and cross-validate a supervised coder


class LabelsError(ValueError):
    """Labels that cannot train the supervised coder for this corpus; the message says why."""


def labels_problem(labels: Labels, passages: pd.DataFrame, theme_ids: Sequence[str]) -> str | None:
    """Why these labels cannot train a coder for these passages and codebooks (None if they can)."""
    ours = set(labels.doc_ids) & set(passages["doc_id"].astype(str))
    if len(ours) < MIN_LABELLED_REPORTS:
        return (
            f"the labels describe {len(ours)} of this corpus's reports (their doc_ids do not "
            f"match); supervised coding needs at least {MIN_LABELLED_REPORTS}"
        )
    named = set(labels.passage_themes["theme_id"].astype(str)) | set(
        labels.document_themes["theme_id"].astype(str)
    )
    if not named & set(theme_ids):
        return "no theme_id in the labels is a codebook id (see `lip themes --help` for codebooks)"
    return None


@dataclass(frozen=True)
class Labels:
    """Ground truth of a labelled corpus (the sample's ``labels/`` folder).

    paragraphs: doc_id, para_index, section, why, marker, text; passage_themes: doc_id,
    para_index, theme_id; document_themes: doc_id, theme_id; document_markers: doc_id, marker_id.
    """

    paragraphs: pd.DataFrame
    passage_themes: pd.DataFrame
    document_themes: pd.DataFrame
    document_markers: pd.DataFrame

    @property
    def doc_ids(self) -> list[str]:
        return sorted(self.paragraphs["doc_id"].astype(str).unique())

    def paragraph_markers(self) -> pd.DataFrame:
        marked = self.paragraphs[self.paragraphs["marker"].fillna("").astype(str) != ""]
        return marked.rename(columns={"marker": "theme_id"})[["doc_id", "para_index", "theme_id"]]

    def marker_documents(self) -> pd.DataFrame:
        return self.document_markers.rename(columns={"marker_id": "theme_id"})


def targets(
    passages: pd.DataFrame,
    labels: Labels,
    alignment: pd.DataFrame,
    entry_ids: Sequence[str],
    markers: bool = False,
) -> tuple[np.ndarray, pd.DataFrame]:
    """(passage label matrix, report-level truth doc_id/theme_id) for themes or markers."""
    if markers:
        return passage_labels(
            passages, alignment, labels.paragraph_markers(), entry_ids
        ), labels.marker_documents()
    return passage_labels(
        passages, alignment, labels.passage_themes, entry_ids
    ), labels.document_themes
