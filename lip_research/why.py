"""Finding the 'why': passages that explain practice, as distinct from passages that narrate it.

Learning into Practice found that many reviews describe *what* happened without analysing
*why* (contributory factors, systemic conditions). This module scores each passage:

- **cues** (`cue_features`): explanatory language (causal connectives, systemic
  conditions, reasoning and bias, what practitioners told the review) against narrative
  language (dates, visits, calls, "the following day"), per 100 words;
- **prototypes**: cosine similarity to short explanatory vs narrative descriptions;
- optionally a **supervised** logistic regression (`WhyClassifier`) on the embedding and
  the cues, trained on labelled passages.

The zero-shot score needs no labels; its threshold ships in ``codebooks/thresholds.csv``
(row ``theme_id = why``). Every flagged passage lists the cues it matched, so a reader can
see why it was flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lip_research.lexical import lemmas

# Explanatory language. Words a review also uses to state its own purpose ("to understand
# why", "contributory factors", "training", "guidance") are left out: they mark
# terms-of-reference and methodology passages as much as explanation.
WHY_CUES: tuple[str, ...] = (
    "because", "due to", "as a result", "this meant", "mean that", "reflect", "consequently",
    "therefore", "partly", "in part", "likely", "understandable", "culture", "workload",
    "caseload", "capacity", "pressure", "staffing", "turnover", "system", "systemic",
    "routinely", "not routinely", "underlying", "assumption", "assume", "bias", "optimism",
    "optimistic", "mindset", "belief", "believe", "perceive", "perception", "tended", "tend",
    "tendency", "expectation", "confidence", "told the", "felt that", "pattern", "norm",
    "lack of", "absence of", "uncertainty", "uncertain", "focus on", "focused on", "prioritise",
    "competing", "framework", "rather than", "without",
)  # fmt: skip
ANALYTIC_SECTION = re.compile(
    r"analys|finding|learning|lesson|conclu|contribut|discussion|reflect", re.I
)
NARRATIVE_CUES: tuple[str, ...] = (
    "visit", "attend", "telephone", "phone", "call", "saw", "see", "seen", "arrive", "record",
    "the following day", "the next day", "later that", "weeks later", "days later", "that evening",
    "that afternoon", "that morning", "on the same day", "appointment", "admit", "discharge",
    "examine", "refer", "send", "sent", "email", "letter", "meeting was held", "took place",
)  # fmt: skip
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_DATE = re.compile(
    r"\b(?:on|in|by|from|early|mid|late)\s+(?:\d{1,2}\s+)?(?:" + "|".join(MONTHS) + r")\b", re.I
)
_DAY = re.compile(r"\b\d{1,2}\s+(?:" + "|".join(MONTHS) + r")\b", re.I)

WHY_PROTOTYPES: tuple[str, ...] = (
    "The review found that this happened because of high caseloads, staff turnover and a culture that accepted delay.",
    "Practitioners told the review that they were reassured by the family's apparent cooperation and did not question it.",
    "This reflects a wider pattern in how agencies routinely work: each assumed another was responsible.",
    "The assessment framework focused attention on needs rather than risk, which made it harder to see the danger.",
    "Optimism about the parents and a fixed view of the case meant that new information was not reconsidered.",
)
NARRATIVE_PROTOTYPES: tuple[str, ...] = (
    "On 12 June the health visitor visited the home and saw the baby, who appeared well.",
    "The following day the mother telephoned the GP practice and an appointment was made.",
    "In early March the police attended the address after a neighbour called about shouting.",
    "The child was admitted to hospital and discharged two days later; a letter was sent to the GP.",
    "A strategy meeting was held in late October, attended by social care, police and health.",
)


def _phrase_lemmas(phrases: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(lemmas(p)) for p in phrases]


_WHY = _phrase_lemmas(WHY_CUES)
_NARR = _phrase_lemmas(NARRATIVE_CUES)


def _matches(seq: list[str], cues: list[tuple[str, ...]]) -> list[str]:
    found = []
    for cue in cues:
        n = len(cue)
        if n and any(tuple(seq[i : i + n]) == cue for i in range(len(seq) - n + 1)):
            found.append(" ".join(cue))
    return found


def analytic_section(sections: Sequence[object]) -> np.ndarray:
    """1.0 where the section name is an analytic one (analysis, findings, learning...)."""
    return np.array(
        [1.0 if ANALYTIC_SECTION.search(str(s or "")) else 0.0 for s in sections], dtype=np.float32
    )


def cue_features(texts: Sequence[str], sections: Sequence[object] | None = None) -> pd.DataFrame:
    """Per passage: explanatory and narrative cue counts per 100 words, dates, whether the
    section is analytic, and the explanatory cues matched."""
    rows = []
    for text in texts:
        text = str(text)
        seq = lemmas(text)
        words = max(len(seq), 1)
        why = _matches(seq, _WHY)
        narr = _matches(seq, _NARR)
        dates = len(_DATE.findall(text)) + len(_DAY.findall(text))
        rows.append(
            {
                "why_cues": 100 * len(why) / words,
                "narrative_cues": 100 * len(narr) / words,
                "dates": 100 * dates / words,
                "matched": ", ".join(why[:8]),
            }
        )
    out = pd.DataFrame(rows, columns=["why_cues", "narrative_cues", "dates", "matched"])
    out.insert(3, "analytic_section", analytic_section(sections) if sections is not None else 0.0)
    return out


def prototype_margin(
    passage_vectors: np.ndarray, why_vectors: np.ndarray, narrative_vectors: np.ndarray
) -> np.ndarray:
    """Mean cosine to the explanatory prototypes minus mean cosine to the narrative ones."""
    pv = np.asarray(passage_vectors, dtype=np.float32)
    return (pv @ np.asarray(why_vectors).T).mean(axis=1) - (
        pv @ np.asarray(narrative_vectors).T
    ).mean(axis=1)


def why_scores(
    cues: pd.DataFrame,
    margin: np.ndarray | None = None,
    section_weight: float = 3.0,
    margin_weight: float = 5.0,
) -> np.ndarray:
    """Zero-shot score: explanatory cues per 100 words, plus `section_weight` in an analytic
    section, plus `margin_weight` x the prototype margin when embeddings are given."""
    score = cues["why_cues"].to_numpy() + section_weight * cues["analytic_section"].to_numpy()
    if margin is not None:
        score = score + margin_weight * np.asarray(margin)
    return score.astype(np.float32)


def why_features(cues: pd.DataFrame, passage_vectors: np.ndarray | None = None) -> np.ndarray:
    """The supervised layer's input: cue rates (scaled) and section flag next to the embedding."""
    base = cues[["why_cues", "narrative_cues", "dates", "analytic_section"]].to_numpy(
        dtype=np.float32
    )
    base = base / np.array([5.0, 5.0, 5.0, 1.0], dtype=np.float32)
    return (
        base
        if passage_vectors is None
        else np.hstack([np.asarray(passage_vectors, dtype=np.float32), base])
    )


class WhyClassifier:
    """Balanced logistic regression on `why_features`; ``predict_scores`` gives P(why)."""

    def __init__(self, C: float = 0.5, random_state: int = 0) -> None:
        self.C = C
        self.random_state = random_state

    def fit(self, features: np.ndarray, labels: Sequence[bool]) -> WhyClassifier:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state
        ).fit(features, np.asarray(labels, dtype=int))
        return self

    def predict_scores(self, features: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(features)[:, 1].astype(np.float32)


def detect_why(
    passages: pd.DataFrame, scores: np.ndarray, threshold: float, cues: pd.DataFrame, method: str
) -> pd.DataFrame:
    """passage_id, doc_id, section, why_score, why, cues (the explanatory words matched), method."""
    out = passages[["passage_id", "doc_id"]].copy()
    out["section"] = passages.get("section", None)
    out["why_score"] = np.round(np.asarray(scores, dtype=float), 4)
    out["why"] = out["why_score"] >= threshold
    out["cues"] = cues["matched"].to_numpy()
    out["method"] = method
    return out.reset_index(drop=True)


def why_share(detected: pd.DataFrame, by: str = "doc_id") -> pd.DataFrame:
    """Share of passages that explain 'why', per report (or per section): n_why, n_passages, percent."""
    table = detected.groupby(by)["why"].agg(["sum", "size"]).reset_index()
    table = table.rename(columns={"sum": "n_why", "size": "n_passages"})
    table["n_why"] = table["n_why"].astype(int)
    table["percent"] = (100 * table["n_why"] / table["n_passages"]).round(1)
    return table
