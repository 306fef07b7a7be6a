"""Ground truth for labelled corpora: align ingested passages with labelled source paragraphs.

The sample corpus records, for every paragraph it composed, its section, themes and quality
marker. Ingest cuts its own passages (in any format, PDF included), so each passage is matched
to the paragraph(s) of the same document whose words it shares most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer


def align(passages: pd.DataFrame, paragraphs: pd.DataFrame, min_share: float = 0.5) -> pd.DataFrame:
    """Every (passage, paragraph) pair where the paragraph's words make up ≥ ``min_share`` of
    the paragraph or of the passage, plus each passage's best match.

    Columns: passage_id, doc_id, para_index, overlap (share of the paragraph's distinct words
    found in the passage), best (the passage's best-matching paragraph).
    """
    rows = []
    for doc_id, paras in paragraphs.groupby("doc_id", sort=False):
        chunk = passages[passages["doc_id"] == doc_id]
        if chunk.empty:
            continue
        vec = CountVectorizer(binary=True, lowercase=True, token_pattern=r"[a-z]{3,}")
        vec.fit(list(paras["text"]) + list(chunk["text"]))
        a = vec.transform(chunk["text"])
        b = vec.transform(paras["text"])
        inter = (a @ b.T).toarray().astype(float)
        para_size = np.maximum(b.sum(axis=1).A1, 1)
        pass_size = np.maximum(a.sum(axis=1).A1, 1)
        cover_para = inter / para_size[None, :]
        cover_pass = inter / pass_size[:, None]
        best = inter.argmax(axis=1)
        for i, pid in enumerate(chunk["passage_id"]):
            for j in np.flatnonzero(
                (cover_para[i] >= min_share)
                | (cover_pass[i] >= min_share)
                | (np.arange(len(paras)) == best[i])
            ):
                rows.append(
                    {
                        "passage_id": pid,
                        "doc_id": doc_id,
                        "para_index": int(paras["para_index"].iloc[j]),
                        "overlap": round(float(cover_para[i, j]), 4),
                        "best": bool(j == best[i]),
                    }
                )
    return pd.DataFrame(rows, columns=["passage_id", "doc_id", "para_index", "overlap", "best"])


def passage_label(passages: pd.DataFrame, paragraphs: pd.DataFrame, column: str) -> pd.Series:
    """Each passage's value of ``column`` from its best-matching paragraph (NaN if unmatched)."""
    pairs = align(passages, paragraphs)
    best = pairs[pairs["best"]].merge(
        paragraphs[["doc_id", "para_index", column]], on=["doc_id", "para_index"]
    )
    return passages["passage_id"].map(best.set_index("passage_id")[column]).rename(column)
