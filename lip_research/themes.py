"""Theme coding: score every passage against every codebook entry, then decide per report.

Two scorers, both returning a ``(n_passages, n_entries)`` matrix:

- **zero-shot** (`zero_shot_scores`): cosine similarity of the passage embedding to the
  entry's description and seed phrases (a blend of the description and the best seed),
  plus lexical evidence: how fully the lemmas of a seed phrase occur in the passage.
  Needs no labels, so it works for any codebook, including a researcher's own.
- **supervised** (`SupervisedCoder`): a logistic regression per entry on the passage
  embedding and the zero-shot scores, trained on labelled passages (the sample corpus).

A passage is *coded* with an entry when its score reaches the entry's threshold; a report
*has* the entry when at least ``k`` of its passages are coded (``k`` per entry, from the
thresholds table, never below ``ThemeConfig.min_passages``; reports with fewer than
``short_doc`` passages, such as catalogue summaries, need one). Every presence keeps its
strongest passages as evidence, cited by doc, section and page. Thresholds come from
calibration on labelled reports (`lip_research.lens_eval.calibrate`) or, without labels,
from the table shipped in ``lip_research/codebooks/thresholds.csv``, written by
``lip calibrate`` (`lip_research.commands.lenses.calibrate`): zero-shot thresholds and k per
entry and backend, calibrated on all labelled reports of the bundled sample corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from lip_research.codebook import Entry
from lip_research.lexical import citations, content_lemmas, excerpt

METHODS = ("zero_shot", "supervised")
NOT_ENTRIES = ("why",)  # rows of the thresholds table that are not codebook entries
THRESHOLD_COLUMNS = ["theme_id", "method", "backend", "threshold", "k", "source"]


@dataclass(frozen=True)
class ScoreParams:
    """How the zero-shot score is put together (defaults tuned on the sample TRAIN half)."""

    seed_weight: float = 0.5  # share of the best seed similarity vs the description's
    lexical_weight: float = 0.2  # weight of the lexical evidence (0..1) added to the cosine
    partial_credit: float = 0.5  # credit for a seed phrase with >= 2/3 of its lemmas present
    short_doc: int = 5  # reports with fewer passages than this need only one coded passage
    max_evidence: int = 3  # evidence passages kept per report and entry


# -- prompts and zero-shot scores -----------------------------------------------------------
def prompt_table(entries: Sequence[Entry]) -> pd.DataFrame:
    """Texts that stand for each entry: its description, seed phrases and evidence phrases."""
    rows = []
    for e in entries:
        rows.append(
            {"theme_id": e.id, "kind": "description", "text": f"{e.label}. {e.description}"}
        )
        rows += [
            {"theme_id": e.id, "kind": "seed", "text": s} for s in (*e.seed_phrases, *e.evidence)
        ]
    return pd.DataFrame(rows)


def similarity_scores(
    passage_vectors: np.ndarray,
    prompt_vectors: np.ndarray,
    prompts: pd.DataFrame,
    entry_ids: Sequence[str],
    params: ScoreParams = ScoreParams(),
) -> np.ndarray:
    """Blend of cosine to the description and the best cosine over seed phrases."""
    sims = (
        np.asarray(passage_vectors, dtype=np.float32)
        @ np.asarray(prompt_vectors, dtype=np.float32).T
    )
    out = np.zeros((sims.shape[0], len(entry_ids)), dtype=np.float32)
    theme = prompts["theme_id"].to_numpy()
    is_desc = (prompts["kind"] == "description").to_numpy()
    for j, entry_id in enumerate(entry_ids):
        own = theme == entry_id
        desc = sims[:, own & is_desc].max(axis=1)
        seed_cols = own & ~is_desc
        best_seed = sims[:, seed_cols].max(axis=1) if seed_cols.any() else desc
        out[:, j] = (1 - params.seed_weight) * desc + params.seed_weight * best_seed
    return out


def lexical_scores(
    texts: Sequence[str], entries: Sequence[Entry], params: ScoreParams = ScoreParams()
) -> np.ndarray:
    """0..1 per passage and entry: seed phrases whose content lemmas all (or 2/3) occur.

    One full phrase scores 0.5, two or more score 1; partial phrases earn `partial_credit`.
    """
    phrases = [
        (j, sorted(set(content_lemmas(s)))) for j, e in enumerate(entries) for s in e.seed_phrases
    ]
    phrases = [(j, terms) for j, terms in phrases if terms]
    vocab = {t: i for i, t in enumerate(sorted({t for _, terms in phrases for t in terms}))}
    n = len(texts)
    if not vocab or n == 0:
        return np.zeros((n, len(entries)), dtype=np.float32)
    rows, cols = [], []
    for i, text in enumerate(texts):
        for t in set(content_lemmas(str(text))) & vocab.keys():
            rows.append(i)
            cols.append(vocab[t])
    present = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    p_rows = [i for i, (_, terms) in enumerate(phrases) for _ in terms]
    p_cols = [vocab[t] for _, terms in phrases for t in terms]
    phrase_terms = sparse.csr_matrix(
        (np.ones(len(p_rows)), (p_rows, p_cols)), shape=(len(phrases), len(vocab))
    )
    lengths = np.array([len(terms) for _, terms in phrases], dtype=np.float32)
    coverage = np.asarray((present @ phrase_terms.T).todense()) / lengths
    credit = np.where(
        coverage >= 1.0,
        1.0,
        np.where((coverage >= 2 / 3) & (lengths >= 3), params.partial_credit, 0.0),
    )
    owner = np.array([j for j, _ in phrases])
    out = np.zeros((n, len(entries)), dtype=np.float32)
    for j in range(len(entries)):
        if (owner == j).any():
            out[:, j] = np.minimum(1.0, credit[:, owner == j].sum(axis=1) / 2)
    return out


def zero_shot_scores(
    passage_vectors: np.ndarray,
    texts: Sequence[str],
    entries: Sequence[Entry],
    prompt_vectors: np.ndarray,
    prompts: pd.DataFrame,
    params: ScoreParams = ScoreParams(),
) -> np.ndarray:
    """Similarity plus weighted lexical evidence, one column per entry (in `entries` order)."""
    ids = [e.id for e in entries]
    sim = similarity_scores(passage_vectors, prompt_vectors, prompts, ids, params)
    return sim + params.lexical_weight * lexical_scores(texts, entries, params)


# -- supervised layer -------------------------------------------------------------------------
class SupervisedCoder:
    """One balanced logistic regression per entry on [embedding, zero-shot scores].

    Entries with fewer than `min_positives` labelled passages are not fitted; their column
    in `predict_scores` is NaN and the caller falls back to the zero-shot score.
    """

    def __init__(self, C: float = 0.5, min_positives: int = 3, random_state: int = 0) -> None:
        self.C = C
        self.min_positives = min_positives
        self.random_state = random_state

    def fit(self, features: np.ndarray, labels: np.ndarray) -> SupervisedCoder:
        from sklearn.linear_model import LogisticRegression

        self.models_: list[object | None] = []
        for j in range(labels.shape[1]):
            y = labels[:, j].astype(int)
            if y.sum() < self.min_positives or y.sum() == len(y):
                self.models_.append(None)
                continue
            model = LogisticRegression(
                C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state
            )
            self.models_.append(model.fit(features, y))
        return self

    def predict_scores(self, features: np.ndarray) -> np.ndarray:
        out = np.full((features.shape[0], len(self.models_)), np.nan, dtype=np.float32)
        for j, model in enumerate(self.models_):
            if model is not None:
                out[:, j] = model.predict_proba(features)[:, 1]  # type: ignore[attr-defined]
        return out

    @property
    def fitted_(self) -> np.ndarray:
        return np.array([m is not None for m in self.models_])


def supervised_features(passage_vectors: np.ndarray, zero_shot: np.ndarray) -> np.ndarray:
    """The supervised layer's input: the embedding next to the (scaled) zero-shot scores."""
    return np.hstack([np.asarray(passage_vectors, dtype=np.float32), 2.0 * zero_shot]).astype(
        np.float32
    )


# -- thresholds -------------------------------------------------------------------------------
def shipped_thresholds_path() -> Path:
    return Path(__file__).resolve().parent / "codebooks" / "thresholds.csv"


def shipped_table() -> pd.DataFrame:
    path = shipped_thresholds_path()
    return pd.read_csv(path) if path.exists() else pd.DataFrame(columns=THRESHOLD_COLUMNS)


def shipped_threshold(theme_id: str, backend: str, method: str = "zero_shot") -> float | None:
    """One shipped threshold (e.g. ``'why'``), or None when the table has none."""
    table = shipped_table()
    row = table[
        (table["theme_id"] == theme_id)
        & (table["backend"] == backend)
        & (table["method"] == method)
    ]
    return float(row["threshold"].iloc[0]) if len(row) else None


def calibration_f1(
    theme_id: str, backend: str, used: pd.DataFrame | None = None
) -> tuple[float, float] | None:
    """The shipped zero-shot coding's F1 (reports, passages) on the labelled sample corpus,
    where its threshold was fitted; None for an entry it was not calibrated for, or when the
    thresholds ``used`` (theme_id, threshold, k) are not the shipped ones."""
    table = shipped_table()
    if not {"f1_document", "f1_passage"} <= set(table.columns):
        return None
    row = table[
        (table["theme_id"] == theme_id)
        & (table["backend"] == backend)
        & (table["method"] == "zero_shot")
    ]
    if row.empty or row[["f1_document", "f1_passage"]].isna().any(axis=None):
        return None
    if used is not None:
        mine = used[used["theme_id"] == theme_id]
        if mine.empty or not (
            np.isclose(float(mine["threshold"].iloc[0]), float(row["threshold"].iloc[0]))
            and int(mine["k"].iloc[0]) == int(row["k"].iloc[0])
        ):
            return None
    return float(row["f1_document"].iloc[0]), float(row["f1_passage"].iloc[0])


def default_thresholds(
    entry_ids: Sequence[str], backend: str, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Zero-shot thresholds for these entries from the shipped (or given) table.

    Entries the table does not know (a user's own codebook) get the median calibrated
    threshold and k of the built-in entries, with ``source`` saying so.
    """
    table = shipped_table() if table is None else table
    known = table[(table["method"] == "zero_shot") & (table["backend"] == backend)]
    known = known[~known["theme_id"].isin(NOT_ENTRIES)]
    if known.empty:
        fallback_t, fallback_k, why = (
            0.45,
            2,
            "uncalibrated fallback (no shipped thresholds for this backend)",
        )
    else:
        fallback_t = float(known["threshold"].median())
        fallback_k = int(known["k"].median())
        why = "fallback: median of the shipped calibrated thresholds"
    rows = []
    by_id = known.set_index("theme_id")
    for entry_id in entry_ids:
        if entry_id in by_id.index:
            row = by_id.loc[entry_id]
            rows.append(
                [
                    entry_id,
                    "zero_shot",
                    backend,
                    float(row["threshold"]),
                    int(row["k"]),
                    str(row["source"]),
                ]
            )
        else:
            rows.append([entry_id, "zero_shot", backend, fallback_t, fallback_k, why])
    return pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)


def _aligned(thresholds: pd.DataFrame, entry_ids: Sequence[str]) -> pd.DataFrame:
    missing = sorted(set(entry_ids) - set(thresholds["theme_id"]))
    if missing:
        raise ValueError(f"no threshold for {missing}; calibrate them or use default_thresholds()")
    return thresholds.set_index("theme_id").loc[list(entry_ids)].reset_index()


# -- coding passages and reports --------------------------------------------------------------
def code_passages(
    scores: np.ndarray, passages: pd.DataFrame, entry_ids: Sequence[str], thresholds: pd.DataFrame
) -> pd.DataFrame:
    """Long table of coded passages: passage_id, doc_id, theme_id, score, threshold, method."""
    th = _aligned(thresholds, entry_ids)
    hit = scores >= th["threshold"].to_numpy()[None, :]
    rows, cols = np.nonzero(hit)
    out = pd.DataFrame(
        {
            "passage_id": passages["passage_id"].to_numpy()[rows],
            "doc_id": passages["doc_id"].to_numpy()[rows],
            "theme_id": np.asarray(entry_ids, dtype=object)[cols],
            "score": scores[rows, cols].astype(float).round(4),
            "threshold": th["threshold"].to_numpy()[cols].astype(float).round(4),
            "method": th["method"].to_numpy()[cols],
        }
    )
    return out.sort_values(
        ["doc_id", "theme_id", "score"], ascending=[True, True, False], ignore_index=True
    )


def document_presence(
    coded: pd.DataFrame,
    passages: pd.DataFrame,
    entry_ids: Sequence[str],
    thresholds: pd.DataFrame,
    min_passages: int = 1,
    params: ScoreParams = ScoreParams(),
) -> pd.DataFrame:
    """One row per report and entry: present, n_passages (coded), k, method, evidence ids."""
    th = _aligned(thresholds, entry_ids).set_index("theme_id")
    n_doc = passages.groupby("doc_id", sort=True).size()
    counts = coded.groupby(["doc_id", "theme_id"]).size()
    evidence = coded.groupby(["doc_id", "theme_id"])["passage_id"].agg(
        lambda s: ";".join(map(str, s.head(params.max_evidence)))
    )
    index = pd.MultiIndex.from_product([n_doc.index, list(entry_ids)], names=["doc_id", "theme_id"])
    out = pd.DataFrame(index=index).reset_index()
    out["n_passages"] = counts.reindex(index, fill_value=0).to_numpy().astype(int)
    k = np.maximum(th.loc[out["theme_id"], "k"].to_numpy().astype(int), min_passages)
    short = n_doc.loc[out["doc_id"]].to_numpy() < params.short_doc
    out["k"] = np.where(short, 1, k)
    out["present"] = out["n_passages"] >= out["k"]
    out["method"] = th.loc[out["theme_id"], "method"].to_numpy()
    out["evidence"] = evidence.reindex(index).fillna("").to_numpy()
    out.loc[~out["present"], "evidence"] = ""
    return out[["doc_id", "theme_id", "present", "n_passages", "k", "method", "evidence"]]


def evidence_table(
    coded: pd.DataFrame,
    presence: pd.DataFrame,
    passages: pd.DataFrame,
    params: ScoreParams = ScoreParams(),
) -> pd.DataFrame:
    """The strongest passages behind every coded presence, each with citation and short quote."""
    present = presence.loc[presence["present"], ["doc_id", "theme_id"]]
    top = coded.merge(present, on=["doc_id", "theme_id"])
    top = top.groupby(["doc_id", "theme_id"], sort=True).head(params.max_evidence).copy()
    top["rank"] = top.groupby(["doc_id", "theme_id"]).cumcount() + 1
    meta = passages.set_index("passage_id")
    for col in ("section", "page_start", "page_end"):
        top[col] = meta[col].reindex(top["passage_id"]).to_numpy() if col in meta else None
    text = meta["text"].reindex(top["passage_id"]).to_numpy()
    top["citation"] = citations(top)
    top["excerpt"] = [excerpt(t) for t in text]
    cols = [
        "doc_id",
        "theme_id",
        "rank",
        "passage_id",
        "score",
        "section",
        "page_start",
        "page_end",
        "citation",
        "excerpt",
    ]
    return top[cols].reset_index(drop=True)
