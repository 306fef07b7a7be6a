"""The Learning into Practice lenses end to end: code a corpus, screen markers, find the 'why'.

These functions read as their steps and stay pure: they take passages, their embedding
vectors and an ``embed`` function (texts -> L2-normalised vectors, e.g.
``functools.partial(embed.embed_texts, backend="minilm")``) and return tables.

Which method codes a corpus:

- ``zero_shot``: codebook similarity + lexical evidence, thresholds from the shipped
  calibration table (entries of a user's own codebook get a clearly labelled fallback);
- ``supervised``: needs labelled passages (the sample corpus): a logistic regression per
  entry, with thresholds calibrated on out-of-fold scores of the TRAIN reports; entries with
  too few labelled passages fall back to zero-shot. ``auto`` picks supervised when labels
  are given. The method used is a column of every output table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lip_research import lens_eval, themes, why
from lip_research.codebook import Entry
from lip_research.config import RunConfig
from lip_research.themes import ScoreParams

Embedder = Callable[[Sequence[str]], np.ndarray]
MARKER_CODEBOOK = "quality_markers"
WHY_FALLBACK_THRESHOLD = 3.0  # zero-shot 'why' score cut when no calibrated value is shipped


@dataclass(frozen=True)
class LensParams:
    """Parameters of the lenses (built from a `RunConfig` by `from_config`)."""

    backend: str = "minilm"
    method: str = "auto"  # auto | zero_shot | supervised
    score: ScoreParams = field(default_factory=ScoreParams)
    min_passages: int = 1
    doc_weight: float = 0.5  # calibration objective: share of report-level F1 vs passage F1
    C: float = 1.0
    folds: int = 5
    select: bool = True  # supervised: keep zero-shot for entries where it calibrates better
    seed: int = 2016

    def __post_init__(self) -> None:
        if self.method not in ("auto", *themes.METHODS):
            raise ValueError(
                f"method={self.method!r} is not one of auto, {', '.join(themes.METHODS)}"
            )

    @classmethod
    def from_config(cls, cfg: RunConfig, **changes: object) -> LensParams:
        base = {
            "backend": cfg.topics.embedding,
            "min_passages": cfg.themes.min_passages,
            "seed": cfg.seed,
        }
        return cls(**(base | changes))  # type: ignore[arg-type]

    def resolve_method(self, labelled: bool) -> str:
        """'auto' is supervised when labels are given; supervised without labels is an error."""
        if self.method == "auto":
            return "supervised" if labelled else "zero_shot"
        if self.method == "supervised" and not labelled:
            raise ValueError(
                "method 'supervised' needs labelled passages: a corpus.yaml beside the reports "
                "naming a labels folder with paragraphs.csv (see data/sample/). Without labels "
                "use method 'auto' or 'zero_shot' (codebook similarity with shipped thresholds)"
            )
        return self.method


@dataclass(frozen=True)
class Coding:
    """A coded corpus: scores, thresholds used, coded passages, report presence, evidence."""

    entries: tuple[Entry, ...]
    scores: np.ndarray
    thresholds: pd.DataFrame
    coded: pd.DataFrame
    presence: pd.DataFrame
    evidence: pd.DataFrame

    @property
    def entry_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    @property
    def method(self) -> str:
        return "+".join(sorted(set(self.thresholds["method"])))


@dataclass(frozen=True)
class Training:
    """What a supervised fit needs: passage and report labels and the TRAIN report ids."""

    passage_labels: np.ndarray  # (n_passages, n_entries) bool, in the passages' order
    doc_themes: pd.DataFrame  # doc_id, theme_id
    train_docs: tuple[str, ...]


# -- scoring ------------------------------------------------------------------------------------
def zero_shot(
    passages: pd.DataFrame,
    vectors: np.ndarray,
    entries: Sequence[Entry],
    embed: Embedder,
    params: LensParams,
) -> np.ndarray:
    prompts = themes.prompt_table(entries)
    prompt_vectors = embed(list(prompts["text"]))
    return themes.zero_shot_scores(
        vectors, list(passages["text"]), entries, prompt_vectors, prompts, params.score
    )


def apply(
    passages: pd.DataFrame,
    entries: Sequence[Entry],
    scores: np.ndarray,
    thresholds: pd.DataFrame,
    params: LensParams,
) -> Coding:
    """Thresholds -> coded passages -> report presence -> evidence."""
    ids = [e.id for e in entries]
    coded = themes.code_passages(scores, passages, ids, thresholds)
    presence = themes.document_presence(
        coded, passages, ids, thresholds, params.min_passages, params.score
    )
    evidence = themes.evidence_table(coded, presence, passages, params.score)
    return Coding(tuple(entries), scores, thresholds, coded, presence, evidence)


def code_corpus(
    passages: pd.DataFrame,
    vectors: np.ndarray,
    entries: Sequence[Entry],
    embed: Embedder,
    params: LensParams,
    training: Training | None = None,
    thresholds: pd.DataFrame | None = None,
) -> Coding:
    """Score and code every passage against `entries`; see the module doc for the method.

    Zero-shot thresholds come from `thresholds` if given, else from calibration on
    `training`, else from the shipped table.
    """
    scores = zero_shot(passages, vectors, entries, embed, params)
    method = params.resolve_method(training is not None)
    if method == "supervised":
        scores, thresholds = supervised(passages, vectors, scores, entries, training, params)
    elif thresholds is None and training is not None:
        thresholds = calibrate_zero_shot(passages, scores, entries, training, params)
    elif thresholds is None:
        thresholds = themes.default_thresholds([e.id for e in entries], params.backend)
    return apply(passages, entries, scores, thresholds, params)


def calibrate_zero_shot(
    passages: pd.DataFrame,
    zs: np.ndarray,
    entries: Sequence[Entry],
    training: Training,
    params: LensParams,
) -> pd.DataFrame:
    """Zero-shot thresholds and k fitted on the TRAIN reports only."""
    ids = [e.id for e in entries]
    train = passages["doc_id"].astype(str).isin(training.train_docs).to_numpy()
    docs = list(training.train_docs)
    truth = lens_eval.document_labels(training.doc_themes, docs, ids)
    return lens_eval.calibrate(
        zs[train],
        training.passage_labels[train],
        passages["doc_id"].astype(str)[train],
        truth,
        docs,
        ids,
        "zero_shot",
        params.backend,
        doc_weight=params.doc_weight,
        source=f"calibrated on {len(docs)} labelled reports",
    )


def supervised(
    passages: pd.DataFrame,
    vectors: np.ndarray,
    zs: np.ndarray,
    entries: Sequence[Entry],
    training: Training,
    params: LensParams,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Fit on TRAIN reports; thresholds from out-of-fold TRAIN scores (grouped by report)."""
    from sklearn.model_selection import GroupKFold

    ids = [e.id for e in entries]
    doc = passages["doc_id"].astype(str).to_numpy()
    train = np.isin(doc, training.train_docs)
    X = themes.supervised_features(vectors, zs)
    Y = training.passage_labels
    oof = np.full((int(train.sum()), len(ids)), np.nan, dtype=np.float32)
    folds = GroupKFold(n_splits=min(params.folds, len(training.train_docs)))
    for fit_idx, val_idx in folds.split(X[train], groups=doc[train]):
        coder = themes.SupervisedCoder(params.C, random_state=params.seed).fit(
            X[train][fit_idx], Y[train][fit_idx]
        )
        oof[val_idx] = coder.predict_scores(X[train][val_idx])
    coder = themes.SupervisedCoder(params.C, random_state=params.seed).fit(X[train], Y[train])
    fitted = coder.fitted_ & ~np.isnan(oof).all(axis=0)
    oof = np.where(fitted[None, :], oof, zs[train])
    scores = np.where(fitted[None, :], np.nan_to_num(coder.predict_scores(X), nan=0.0), zs)
    docs = list(training.train_docs)
    truth = lens_eval.document_labels(training.doc_themes, docs, ids)
    table = lens_eval.calibrate(
        oof,
        Y[train],
        doc[train],
        truth,
        docs,
        ids,
        "supervised",
        params.backend,
        doc_weight=params.doc_weight,
        source=f"trained and calibrated (out-of-fold) on {len(docs)} labelled reports",
    )
    table.loc[~fitted, "method"] = "zero_shot"
    if params.select:
        zs_table = calibrate_zero_shot(passages, zs, entries, training, params)
        better = _objective(zs_table, params.doc_weight) > _objective(table, params.doc_weight)
        use_zs = better.to_numpy() | ~fitted
        table = (
            pd.concat([table[~use_zs], zs_table[use_zs]])
            .set_index("theme_id")
            .loc[ids]
            .reset_index()
        )
        scores = np.where(use_zs[None, :], zs, scores)
    return scores.astype(np.float32), table


def _objective(table: pd.DataFrame, doc_weight: float) -> pd.Series:
    """The calibration objective of each entry of a thresholds table."""
    return doc_weight * table["f1_document"] + (1 - doc_weight) * table["f1_passage"].fillna(0)


# -- the 'why' lens -------------------------------------------------------------------------------
@dataclass(frozen=True)
class WhyResult:
    detected: pd.DataFrame
    threshold: float
    method: str


def find_why(
    passages: pd.DataFrame,
    vectors: np.ndarray,
    embed: Embedder,
    params: LensParams,
    labels: pd.Series | None = None,
    train_docs: Sequence[str] = (),
    threshold: float | None = None,
) -> WhyResult:
    """Flag explanatory passages. With `labels` (bool per passage, NaN = unlabelled) and
    `train_docs`, a classifier is fitted and its threshold calibrated on TRAIN out-of-fold
    scores; otherwise the zero-shot cue score with the shipped threshold is used."""
    sections = passages.get("section", None)
    cues = why.cue_features(list(passages["text"]), None if sections is None else list(sections))
    margin = why.prototype_margin(
        vectors, embed(list(why.WHY_PROTOTYPES)), embed(list(why.NARRATIVE_PROTOTYPES))
    )
    zs = why.why_scores(cues, margin)
    method = params.resolve_method(labels is not None)
    doc = passages["doc_id"].astype(str).to_numpy()
    if labels is not None:
        known = labels.notna().to_numpy() & np.isin(doc, list(train_docs))
        y = labels.fillna(False).astype(bool).to_numpy()
    if method == "supervised":
        from sklearn.model_selection import GroupKFold

        X = why.why_features(cues, vectors)
        oof = np.zeros(int(known.sum()), dtype=np.float32)
        for a, b in GroupKFold(n_splits=min(params.folds, len(set(doc[known])))).split(
            X[known], groups=doc[known]
        ):
            oof[b] = (
                why.WhyClassifier(params.C, params.seed)
                .fit(X[known][a], y[known][a])
                .predict_scores(X[known][b])
            )
        threshold, _ = lens_eval.best_threshold(oof, y[known])
        scores = why.WhyClassifier(params.C, params.seed).fit(X[known], y[known]).predict_scores(X)
    else:
        scores = zs
        if threshold is None and labels is not None:
            threshold, _ = lens_eval.best_threshold(zs[known], y[known])
        if threshold is None:
            threshold = themes.shipped_threshold("why", params.backend)
        if threshold is None:
            threshold = WHY_FALLBACK_THRESHOLD
    return WhyResult(
        why.detect_why(passages, scores, float(threshold), cues, method), float(threshold), method
    )
