"""Tiny inline fixtures for the lens tests: a fake embedder, a codebook and a corpus."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lip_research.codebook import parse_codebook
from lip_research.lexical import content_lemmas

DIM = 96


def fake_embed(texts: Sequence[str]) -> np.ndarray:
    """Bag of hashed content lemmas, L2-normalised: texts sharing words are similar."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in content_lemmas(str(text)):
            out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


CODEBOOK = {
    "codebook": "mini",
    "title": "Mini codebook",
    "version": "1",
    "description": "Two themes for tests.",
    "sources": [{"id": "src", "citation": "A source (2020)."}],
    "entries": [
        {
            "id": "bruising",
            "label": "Bruising in babies",
            "group": "g",
            "description": "Bruising on a baby who is not yet mobile.",
            "seed_phrases": ["bruise on the baby", "non-mobile baby bruising"],
            "sources": ["src"],
        },
        {
            "id": "sharing",
            "label": "Information sharing",
            "group": "g",
            "description": "Agencies did not share information with each other.",
            "seed_phrases": ["information was not shared", "school did not share information"],
            "sources": ["src"],
        },
    ],
}


def mini_book():
    return parse_codebook(CODEBOOK, origin="inline")


TEXTS = {
    "d1": [
        "The health visitor saw a bruise on the baby's cheek and the baby was not mobile.",
        "Bruising on a non-mobile baby was not referred to children's social care.",
        "The family moved house in the spring and registered with a new practice.",
    ],
    "d2": [
        "The school did not share information about absences with the health service.",
        "Information was not shared between the police and children's social care.",
        "The review met the mother twice and she contributed to the chronology.",
    ],
    "d3": [
        "The family moved house in the spring and registered with a new practice.",
        "The review met the mother twice and she contributed to the chronology.",
        "Practitioners told the review that caseloads were high.",
    ],
}


def mini_passages() -> pd.DataFrame:
    rows = []
    for doc, texts in TEXTS.items():
        for i, text in enumerate(texts, start=1):
            rows.append(
                {
                    "passage_id": f"{doc}-p{i:04d}",
                    "doc_id": doc,
                    "section": ["chronology", "analysis", "family_involvement"][i - 1],
                    "page_start": i,
                    "page_end": i,
                    "char_start": 0,
                    "char_end": len(text),
                    "text": text,
                }
            )
    return pd.DataFrame(rows)


def mini_documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3"],
            "title": ["Review 1", "Review 2", "Review 3"],
            "year": [2015, 2015, 2020],
            "review_model": ["scie", "silp", "scie"],
        }
    )


def thresholds(ids: Sequence[str], value: float = 0.3, k: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": list(ids),
            "method": "zero_shot",
            "backend": "fake",
            "threshold": value,
            "k": k,
            "source": "test",
        }
    )
