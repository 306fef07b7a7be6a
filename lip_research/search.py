"""Search the corpus two ways, each hit cited by doc / section / page.

- **Concordance** (keyword in context): NLTK's ``ConcordanceIndex`` over the whole corpus,
  keyed by lemma, so "bruise" finds "bruising" and "bruised"; a multi-word query
  ("strategy discussion") is matched as a phrase, hyphenated or not ("life story work" finds
  "life-story work" too, as topic words count them together), and an abbreviation the corpus
  defines finds its long form, and the long form the abbreviation ("IROs" finds "independent
  reviewing officers"), as topic words read them as one; hits never cross passage boundaries.
- **Semantic**: "passages like this one" by cosine similarity of embeddings, from a
  query text or from a passage id.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from nltk.text import ConcordanceIndex

from lip_research.lexical import STOPWORDS, citations, excerpt, lemma, spans, tokens
from lip_research.preprocess import (
    abbreviated,
    place_words,
    plural_acronyms,
    written_in_capitals,
)

HIT_COLUMNS = ["passage_id", "doc_id", "section", "page_start", "page_end", "citation"]


@dataclass(frozen=True)
class Concordance:
    """A lemma-keyed concordance over every passage (build once with `build_concordance`)."""

    index: ConcordanceIndex
    owner: np.ndarray  # passage row of each token
    spans: np.ndarray  # (n_tokens, 2) character span of each token in its passage
    texts: tuple[str, ...]
    passages: pd.DataFrame  # passage_id, doc_id, section, page_start, page_end
    # the written forms of each abbreviation the corpus defines, its long forms among them
    abbreviations: tuple[tuple[str, ...], ...] = ()
    key: Callable[[str], str] = lemma  # the index key of a token (its lemma, plurals as one)


def _key(aliases: dict[str, str], token: str) -> str:
    word = lemma(token)
    return aliases.get(word, word)


def build_concordance(passages: pd.DataFrame) -> Concordance:
    """Tokenise every passage in order; the index key of each token is its lemma."""
    texts = tuple(passages["text"].astype(str))
    all_tokens: list[str] = []
    owner: list[int] = []
    all_spans: list[tuple[int, int]] = []
    for row, text in enumerate(texts):
        cuts = spans(text)
        all_tokens += [text[a:b] for a, b in cuts]
        all_spans += cuts
        owner += [row] * len(cuts)
    meta = passages.reset_index(drop=True)
    meta = meta[[c for c in HIT_COLUMNS[:-1] if c in meta]]
    # an acronym and its plural are one word, as in topic words ('IRO' finds 'IROs')
    capitals = written_in_capitals(texts)
    aliases = plural_acronyms(capitals)
    key = functools.partial(_key, aliases)
    index = ConcordanceIndex(all_tokens, key=key)
    span_array = np.asarray(all_spans, dtype=np.int64).reshape(-1, 2)
    # as topic words define them: a local abbreviation, whose long form names a place, may
    # stand for two boards ('SSCB': Sefton's, Shropshire's)
    forms: dict[str, list[str]] = {}
    for found in abbreviated(texts, capitals, aliases, {}, place_words()).values():
        forms.setdefault(found.term, []).extend((found.short, found.written))
    abbreviations = tuple(tuple(dict.fromkeys(f)) for _, f in sorted(forms.items()))
    owners = np.asarray(owner, dtype=np.int64)
    return Concordance(index, owners, span_array, texts, meta, abbreviations, key)


def concordance(
    conc: Concordance, query: str, context: int = 10, limit: int | None = None
) -> pd.DataFrame:
    """Keyword-in-context lines for a word or phrase (lemma-aware, case-insensitive).

    Columns: passage_id, doc_id, section, page_start, page_end, citation, left, match,
    right: up to `context` words each side, quoted from the passage with its punctuation.
    """
    words = tokens(query)
    if not words:
        raise ValueError("empty search query: give a word or a phrase")
    owner, sp = conc.owner, conc.spans
    group = _abbreviation(conc, words)
    hits = _hits(conc, [words])
    if group:  # the abbreviation's other forms, but not where one is part of another
        # abbreviation's long form: 'EET' is not NEET's 'not in education, employment or training'
        others = [tokens(f) for forms in conc.abbreviations if forms != group for f in forms]
        within = {
            i
            for start, n in _hits(conc, [f for f in others if len(f) > 1])
            for i in range(start, start + n)
        }
        found = _hits(conc, [tokens(form) for form in group])
        hits |= {(start, n) for start, n in found if not set(range(start, start + n)) <= within}
    rows = []
    for start, n in sorted(hits):
        row, last = owner[start], start + n - 1
        if owner[last] != row:
            continue
        lo, hi = start, last
        while lo > 0 and owner[lo - 1] == row and start - lo < context:
            lo -= 1
        while hi + 1 < len(owner) and owner[hi + 1] == row and hi - last < context:
            hi += 1
        text = conc.texts[row]
        left_raw = text[sp[lo, 0] : sp[start, 0]]
        match = " ".join(text[sp[start, 0] : sp[last, 1]].split())
        right_raw = text[sp[last, 1] : sp[hi, 1]]
        left, right = " ".join(left_raw.split()), " ".join(right_raw.split())
        # the hit as it reads, spaced as the text is ('about [safer sleep].', 'IRO/[LADO]')
        gap_before = " " if left and left_raw[-1:].isspace() else ""
        gap_after = " " if right and right_raw[:1].isspace() else ""
        line = f"{left}{gap_before}[{match}]{gap_after}{right}"
        rows.append((row, left, match, right, line))
        if limit and len(rows) >= limit:
            break
    out = _cite(conc.passages.iloc[[r for r, *_ in rows]].reset_index(drop=True))
    out["left"] = [r[1] for r in rows]
    out["match"] = [r[2] for r in rows]
    out["right"] = [r[3] for r in rows]
    out["line"] = [r[4] for r in rows]
    return out


def _abbreviation(conc: Concordance, words: list[str]) -> tuple[str, ...]:
    """The written forms of the abbreviation the query's words spell, as the abbreviation or
    as a long form ('IROs', 'independent reviewing officers'); () when they spell none."""
    asked = [[conc.key(w) for w in form] for form in _hyphen_forms(words)]
    for forms in conc.abbreviations:
        if any([conc.key(w) for w in tokens(form)] in asked for form in forms):
            return forms
    return ()


def _hits(conc: Concordance, spellings: list[list[str]]) -> set[tuple[int, int]]:
    """(first token, tokens) of each place the concordance holds one of ``spellings``, its
    words hyphenated or apart (:func:`_hyphen_forms`)."""
    hits: set[tuple[int, int]] = set()
    for form in (f for spelt in spellings for f in _hyphen_forms(spelt)):
        offsets = conc.index.offsets(form[0])
        for i, word in enumerate(form[1:]):  # a phrase: each next word one position further on
            offsets = sorted({o - i - 1 for o in conc.index.offsets(word)} & set(offsets))
        hits |= {(start, len(form)) for start in offsets}
    return hits


def _hyphen_forms(words: list[str]) -> list[list[str]]:
    """The query's words with neighbours written apart or hyphenated ('life story work',
    'life-story work', 'life story-work', 'life-story-work'): concordance tokens keep a
    hyphenated word whole. A hyphenated query word is also read apart, unless a part is a
    stop word ('well-being' is not 'may well be')."""
    parts: list[str] = []
    choices: list[tuple[str, ...]] = []  # how each part joins the one before it
    for word in words:
        pieces = [p for p in word.split("-") if p]
        if parts:
            choices.append(("-", " "))
        apart = not any(p.lower() in STOPWORDS for p in pieces)
        choices += [("-", " ") if apart else ("-",)] * (len(pieces) - 1)
        parts += pieces
    if len(parts) > 6:  # 32 forms at most
        return [words]
    forms = []
    for joins in itertools.product(*choices):
        text = parts[0] + "".join(j + p for j, p in zip(joins, parts[1:], strict=True))
        forms.append(text.split())
    return forms


def keyword_counts(conc: Concordance, query: str, by: str = "doc_id") -> pd.DataFrame:
    """How many concordance hits per report (or per section): by, n_hits."""
    hits = concordance(conc, query)
    return (
        hits.groupby(by)
        .size()
        .rename("n_hits")
        .reset_index()
        .sort_values("n_hits", ascending=False, ignore_index=True)
    )


def semantic_search(
    query_vector: np.ndarray,
    passage_vectors: np.ndarray,
    passages: pd.DataFrame,
    top_n: int = 10,
    exclude_doc: str | None = None,
    exclude_passage: str | None = None,
    one_per_doc: bool = False,
) -> pd.DataFrame:
    """Passages most similar to a query vector: rank, score, citation, short excerpt."""
    sims = (
        np.asarray(passage_vectors, dtype=np.float32)
        @ np.asarray(query_vector, dtype=np.float32).ravel()
    )
    frame = passages.reset_index(drop=True).assign(score=sims)
    if exclude_doc is not None:
        frame = frame[frame["doc_id"] != exclude_doc]
    if exclude_passage is not None:
        frame = frame[frame["passage_id"] != exclude_passage]
    frame = frame.sort_values("score", ascending=False, kind="stable")
    if one_per_doc:
        frame = frame.drop_duplicates("doc_id")
    frame = frame.head(top_n).reset_index(drop=True)
    out = _cite(frame)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["score"] = frame["score"].round(4).to_numpy()
    out["excerpt"] = [excerpt(t) for t in frame["text"]]
    return out


def similar_passages(
    passage_id: str,
    passage_vectors: np.ndarray,
    passages: pd.DataFrame,
    top_n: int = 10,
    other_reports: bool = True,
) -> pd.DataFrame:
    """ "Passages like this one": nearest passages to a passage (by default in other reports)."""
    positions = np.flatnonzero(passages["passage_id"].to_numpy() == passage_id)
    if not len(positions):
        import difflib

        near = difflib.get_close_matches(passage_id, passages["passage_id"].astype(str), n=3)
        example = passages["passage_id"].iloc[0] if len(passages) else "none"
        hint = f"; did you mean {', '.join(near)}?" if near else f" (ids look like {example})"
        raise KeyError(f"no passage {passage_id!r} in this corpus{hint}")
    row = int(positions[0])
    doc = passages["doc_id"].iloc[row]
    return semantic_search(
        passage_vectors[row],
        passage_vectors,
        passages,
        top_n=top_n,
        exclude_doc=doc if other_reports else None,
        exclude_passage=passage_id,
    )


def _cite(meta: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: meta[c].to_numpy() if c in meta else None for c in HIT_COLUMNS[:-1]})
    out["citation"] = citations(out)
    return out


def shares_a_word(query: str, texts) -> bool:
    """Whether any word of three or more letters in the query occurs in the texts."""
    words = set(re.findall(r"[a-z]{3,}", query.lower()))
    if not words:
        return True
    return any(words & set(re.findall(r"[a-z]{3,}", str(t).lower())) for t in texts)
