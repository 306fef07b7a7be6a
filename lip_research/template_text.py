"""Template text: sentences a genre repeats across its documents (statutory preambles,
anonymisation statements), which give no topic words.

A sentence counts as repeated when its letters are (``clean.keyed_sentences``), or, with
``names_masked``, when they are once names, places and months are left out
(``clean.name_masked_key``): "To protect the privacy of Child E ..." and "... of Child K ..."
are one template sentence. Models saved before names were masked keep word-for-word keys
(``Analyzer.names_masked`` is then False).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from lip_research.clean import (
    keyed_sentences,
    name_masked_key,
    repeat_threshold,
    shared_boilerplate,
)


@lru_cache(maxsize=1 << 16)  # topic fitting asks three times per passage
def _sentences(
    text: str, names_masked: bool
) -> tuple[tuple[str, int | None, int | None, int], ...]:
    """(sentence, word-for-word key, name-free key or None, words) for every sentence."""
    return tuple(
        (sentence, key, name_masked_key(sentence) if names_masked else None, words)
        for sentence, key, words in keyed_sentences(text)
    )


MIN_DOCUMENTS = 5  # template text recurs in at least this many documents, whatever the share


def template_documents(n_documents: int, min_share: float) -> int:
    """How many documents a sentence must recur in to be template text."""
    return repeat_threshold(n_documents, min_share, MIN_DOCUMENTS)


def template_sentences(
    texts: Sequence[str],
    groups: Sequence[str],
    min_share: float = 0.2,
    min_groups: int = MIN_DOCUMENTS,
    names_masked: bool = True,
) -> frozenset[int]:
    """Keys of sentences repeated in at least ``min_share`` of the documents (``groups``), and
    in ``min_groups`` at least (:func:`template_documents`).

    These are a genre's template and statutory text ("Ofsted produces this report under its
    power to combine reports ..."), not anything one report says about its case. Ingest
    already drops blocks made mostly of sentences shared by 40% of documents; this lower
    bar only keeps such text out of topic words, and the corpus keeps it. Both keys of a
    sentence are kept where repeated, so a later text's name variant is template too.
    ``min_share=0`` finds none.
    """
    if min_share <= 0:
        return frozenset()
    by_doc: dict[str, set[int]] = {}
    for text, group in zip(texts, groups, strict=True):
        found = by_doc.setdefault(group, set())
        found.update(k for _, *keys, _ in _sentences(text, names_masked) for k in keys if k)
    repeated, _ = shared_boilerplate(list(by_doc.values()), share=min_share, min_docs=min_groups)
    return frozenset(repeated)


def count_template(
    texts: Sequence[str], template: frozenset[int], names_masked: bool = True
) -> int:
    """How many distinct template sentences the texts hold (name variants counted once)."""
    return len(
        {
            masked if masked in template else key
            for text in texts
            for _, key, masked, _ in _sentences(text, names_masked)
            if _is_template(key, masked, template)
        }
    )


def _is_template(key: int | None, masked: int | None, template: frozenset[int]) -> bool:
    return key in template or masked in template


def template_share(text: str, template: frozenset[int], names_masked: bool = True) -> float:
    """Share of the text's words that sit in template sentences."""
    sentences = _sentences(text, names_masked)
    total = sum(n for *_, n in sentences)
    inside = sum(n for _, key, masked, n in sentences if _is_template(key, masked, template))
    return inside / total if total else 0.0


def strip_template(text: str, template: frozenset[int], names_masked: bool = True) -> str:
    """The text without its template sentences (see :func:`template_sentences`)."""
    if not template:
        return text
    return " ".join(
        s for s, key, masked, _ in _sentences(text, names_masked)
        if not _is_template(key, masked, template)
    )  # fmt: skip
