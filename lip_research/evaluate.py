"""Honest quality figures for a topic model.

- ``npmi``: mean normalised PMI of each topic's top-word pairs, counted over passages of the
  corpus itself (a word or phrase is present in a passage when its lemmas occur in order;
  an acronym's plural, 'IROs', counts as its singular, as in topic words), or over sliding
  windows of a few words for comparison with the topic-model literature.
- ``diversity``: share of unique words among all topics' top words.
- ``outlier_share`` and ``largest_share`` of passages.
- ``stability``: ARI between the passage assignments of runs with different seeds, and the
  word overlap (Jaccard) of topics matched one-to-one between them.
- ``recovery``: NMI / ARI of topics against known labels (the sample corpus's planted themes).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from lip_research.preprocess import is_junk, shown_as_term, texts_aliases, tokens


def _presence(
    words: set[str], texts: Sequence[str], window: int | None, aliases: dict[str, str]
) -> tuple[dict[str, int], sparse.csr_matrix]:
    """Which counting units (passages, or sliding windows of ``window`` tokens) hold each word.

    A word or phrase is present in a unit when all its lemmas occur there in order and
    adjacent. Returns the row of each word and a boolean words x units matrix.
    """
    row = {w: i for i, w in enumerate(sorted(words))}
    by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for w, i in row.items():
        seq = tuple(w.split())
        by_first.setdefault(seq[0], []).append((seq, i))
    rows: list[int] = []
    cols: list[int] = []
    offset = 0
    for text in texts:
        toks = _window_tokens(text, aliases) if window else tokens(text, aliases)
        n_units = max(1, len(toks) - window + 1) if window else 1
        for p, tok in enumerate(toks):
            for seq, i in by_first.get(tok, ()):
                if tuple(toks[p : p + len(seq)]) != seq:
                    continue
                if window:  # every window that holds the whole occurrence
                    first = min(max(0, p + len(seq) - window), n_units - 1)
                    last = min(p, n_units - 1)
                    units = range(offset + first, offset + last + 1)
                else:
                    units = range(offset, offset + 1)
                rows.extend([i] * len(units))
                cols.extend(units)
        offset += n_units
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(row), offset)
    )
    m.data[:] = 1  # duplicates summed: presence, not counts
    return row, m


def _window_tokens(text: str, aliases: dict[str, str]) -> list[str]:
    return [t for t in tokens(text, aliases) if t not in ENGLISH_STOP_WORDS]


def _normalise_word(word: str, window: int | None, aliases: dict[str, str]) -> str:
    return " ".join(_window_tokens(word, aliases) if window else tokens(word, aliases))


def npmi_per_topic(
    topic_words: dict[int, list[str]],
    texts: Sequence[str],
    top_n: int = 10,
    window: int | None = None,
) -> dict[int, float]:
    """Mean NPMI over pairs of each topic's top words.

    Co-occurrence is counted within each passage, or with ``window`` within sliding windows
    of that many word tokens (stop words skipped), as Palmetto's C_NPMI does.
    """
    if window is not None and window < 2:
        raise ValueError(
            f"window must be at least 2 words (or None for whole passages), not {window}"
        )
    aliases = texts_aliases(texts)
    norm = {
        t: [
            w
            for w in dict.fromkeys(_normalise_word(w, window, aliases) for w in words[:top_n])
            if w
        ]
        for t, words in topic_words.items()
    }
    row, present = _presence({w for ws in norm.values() for w in ws}, texts, window, aliases)
    n_units = present.shape[1]
    if n_units == 0:
        return {topic: 0.0 for topic in norm}
    together = (present @ present.T).toarray()
    out: dict[int, float] = {}
    for topic, words in norm.items():
        scores = []
        for a, b in itertools.combinations(words, 2):
            i, j = row[a], row[b]
            pa, pb = together[i, i] / n_units, together[j, j] / n_units
            pab = together[i, j] / n_units
            if pa == 0 or pb == 0:
                continue
            if pab == 0:
                scores.append(-1.0)
            elif pab == 1:
                scores.append(1.0)
            else:
                scores.append(float(np.log(pab / (pa * pb)) / -np.log(pab)))
        out[topic] = float(np.mean(scores)) if scores else 0.0
    return out


def npmi(
    topic_words: dict[int, list[str]], texts: Sequence[str], window: int | None = None
) -> float:
    """Mean of :func:`npmi_per_topic` over the topics, outliers (-1) left out."""
    inliers = {t: w for t, w in topic_words.items() if t != -1}
    per_topic = npmi_per_topic(inliers, texts, window=window)
    return float(np.mean(list(per_topic.values()))) if per_topic else 0.0


def diversity(topic_words: dict[int, list[str]], top_n: int = 10) -> float:
    words = [w for ws in topic_words.values() for w in ws[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


def junk_topics(
    topic_words: dict[int, list[str]], stop: frozenset[str], min_junk: int = 3
) -> list[int]:
    """Topics whose top-10 words hold at least ``min_junk`` boilerplate, place, number or date words."""
    return [
        t
        for t, ws in topic_words.items()
        if sum(is_junk(w.lower(), stop) for w in ws[:10]) >= min_junk
    ]


def shares(assignments: Sequence[int]) -> dict[str, float]:
    a = np.asarray(assignments)
    inliers = a[a != -1]
    largest = np.bincount(inliers).max() / len(a) if len(inliers) else 0.0
    return {"outlier_share": float((a == -1).mean()), "largest_share": float(largest)}


def ari(a: Sequence[int], b: Sequence[int]) -> float:
    return float(adjusted_rand_score(a, b))


def word_jaccard(words_a: Sequence[Iterable[str]], words_b: Sequence[Iterable[str]]) -> np.ndarray:
    """Jaccard similarity of every pair of word lists, each word read as the analyzer reads
    it: fits on other documents may show a term in another written form ('carers' / 'carer',
    'IROs' / 'IRO'), and runs from before acronyms were shown in capitals write 'camhs'."""
    sa = [{shown_as_term(w) for w in ws} for ws in words_a]
    sb = [{shown_as_term(w) for w in ws} for ws in words_b]
    sim = np.zeros((len(sa), len(sb)))
    for i, x in enumerate(sa):
        for j, y in enumerate(sb):
            sim[i, j] = len(x & y) / len(x | y) if x | y else 0.0
    return sim


def matched_overlap(words_a: dict[int, list[str]], words_b: dict[int, list[str]]) -> float:
    """Mean Jaccard of top words for topics matched one-to-one (Hungarian) between two runs."""
    ta = [t for t in words_a if t != -1]
    tb = [t for t in words_b if t != -1]
    if not ta or not tb:
        return 0.0
    sim = word_jaccard([words_a[t] for t in ta], [words_b[t] for t in tb])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].sum() / max(len(ta), len(tb)))


def stability(runs: list[tuple[Sequence[int], dict[int, list[str]]]]) -> dict[str, float]:
    """Pairwise ARI and matched-topic word overlap over runs with different seeds.

    A run with no topic (no words: every passage an outlier) agrees with none, not even
    with another such run, whose identical assignments would otherwise score ARI 1.
    """
    aris, overlaps = [], []
    for (a, wa), (b, wb) in itertools.combinations(runs, 2):
        aris.append(ari(a, b) if wa and wb else 0.0)
        overlaps.append(matched_overlap(wa, wb))
    return {
        "seeds": len(runs),
        "ari_mean": float(np.mean(aris)) if aris else float("nan"),
        "ari_min": float(np.min(aris)) if aris else float("nan"),
        "word_overlap_mean": float(np.mean(overlaps)) if overlaps else float("nan"),
    }


def resample_masks(
    doc_ids: Sequence[str], draws: int, seed: int, share: float = 0.9
) -> list[np.ndarray]:
    """``draws`` seeded random selections of ``share`` of the documents, as passage masks.

    Empty when that would leave out no document or keep fewer than two.
    """
    ids = np.asarray([str(d) for d in doc_ids])
    docs = np.unique(ids)
    keep = int(round(share * len(docs)))
    if keep < 2 or keep == len(docs):
        return []
    rng = np.random.default_rng(seed)
    return [np.isin(ids, rng.choice(docs, size=keep, replace=False)) for _ in range(draws)]


def recovery(topics: Sequence[int], labels: Sequence[str]) -> dict[str, float]:
    """Agreement of topics with known labels (both over the same items)."""
    return {
        "nmi": float(normalized_mutual_info_score(labels, topics)),
        "ari": float(adjusted_rand_score(labels, topics)),
    }


def summary(
    topic_words: dict[int, list[str]],
    assignments: Sequence[int],
    texts: Sequence[str],
    stop: frozenset[str] | None = None,
) -> dict[str, float]:
    """The headline figures of one fitted model."""
    inlier_words = {t: w for t, w in topic_words.items() if t != -1}
    out = {
        "n_topics": len(inlier_words),
        "npmi": npmi(inlier_words, texts),
        "diversity": diversity(inlier_words),
        **shares(assignments),
    }
    if stop is not None:
        out["junk_topics"] = len(junk_topics(inlier_words, stop))
    return out


def evaluation_table(figures: dict[str, float]) -> pd.DataFrame:
    """Figures as a two-column table for reports (counts stay integers)."""
    return pd.DataFrame(
        {"measure": list(figures), "value": pd.Series(list(figures.values()), dtype=object)}
    )
