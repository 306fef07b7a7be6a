"""Template text: sentences a genre repeats across its documents (statutory preambles,
anonymisation statements), which give no topic words.

A sentence is keyed by its letters (``clean.keyed_sentences``), leaving out names, places,
months and single letters, so that "To protect the privacy of Child E ..." and "... of
Child K ..." are one template sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from lip_research.clean import keyed_sentences, shared_boilerplate


def template_sentences(
    texts: Sequence[str],
    groups: Sequence[str],
    min_share: float = 0.2,
    min_groups: int = 5,
    names_masked: bool = True,
) -> frozenset[int]:
    """Keys of sentences repeated in at least ``min_share`` of the documents (``groups``).

    These are a genre's template and statutory text ("Ofsted produces this report under its
    power to combine reports ..."), not anything one report says about its case. Ingest
    already drops blocks made mostly of sentences shared by 40% of documents; this lower
    bar only keeps such text out of topic words, and the corpus keeps it. A sentence that
    differs only in names, places, months or single letters is a repeat
    (``clean.keyed_sentences``; ``names_masked=False``: word for word, as models saved by
    earlier versions keyed them). ``min_share=0`` finds none.
    """
    if min_share <= 0:
        return frozenset()
    by_doc: dict[str, set[int]] = {}
    for text, group in zip(texts, groups, strict=True):
        keys = {k for _, k, _ in keyed_sentences(text, names_masked) if k is not None}
        by_doc.setdefault(group, set()).update(keys)
    repeated, _ = shared_boilerplate(list(by_doc.values()), share=min_share, min_docs=min_groups)
    return frozenset(repeated)


def template_share(text: str, template: frozenset[int], names_masked: bool = True) -> float:
    """Share of the text's words that sit in template sentences."""
    sentences = keyed_sentences(text, names_masked)
    total = sum(n for _, _, n in sentences)
    inside = sum(n for _, k, n in sentences if k in template)
    return inside / total if total else 0.0


def strip_template(text: str, template: frozenset[int], names_masked: bool = True) -> str:
    """The text without its template sentences (see :func:`template_sentences`)."""
    if not template:
        return text
    return " ".join(s for s, k, _ in keyed_sentences(text, names_masked) if k not in template)
