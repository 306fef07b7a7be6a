"""Multi-word expressions: NLTK collocation detection, completed from the corpus.

:func:`find_phrases` finds frequent, strongly associated bigrams and trigrams ("child
protection plan", "health visitor"); :func:`extend_phrases` completes a phrase the corpus
nearly always writes with one more word, so "children looked" becomes "children looked
after". :func:`spans` matches them in a token list, longest first.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.probability import FreqDist
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

CONTEXT_WORDS = 5  # a phrase's context: this many words on each side
PARTICLES = frozenset({"after", "up", "out", "off", "down"})  # may end a phrase ("looked after")


@dataclass(frozen=True)
class PhraseParams:
    min_count: int = 5
    min_contexts: int = 2  # ... in this many distinct contexts (CONTEXT_WORDS on each side)
    min_pmi: float = 3.0
    max_phrases: int = 400
    extend_share: float = 0.8  # a phrase this often next to the same word takes it in ...
    extend_min: int = 10  # ... when that happens at least this many times
    max_words: int = 5


def find_phrases(
    docs: Sequence[Sequence[str]],
    stop: frozenset[str],
    refuse: frozenset[str] = frozenset(),
    params: PhraseParams = PhraseParams(),
) -> tuple[tuple[str, ...], ...]:
    """Frequent, strongly associated bigrams and trigrams (NLTK collocation finder).

    Neither word may be an English stopword or a word of ``refuse`` (months, say), except a
    phrasal particle after another word ("look after"); a phrase of ``stop`` words only is
    dropped.
    """

    measures = BigramAssocMeasures()
    # Same counts as BigramCollocationFinder.from_documents, gathered with Counter (5x faster).
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        words.update(doc)
        pairs.update(zip(doc, doc[1:], strict=False))
    finder = BigramCollocationFinder(FreqDist(words), FreqDist(pairs))
    finder.apply_freq_filter(params.min_count)
    finder.apply_ngram_filter(
        lambda a, b: not joinable((a, b), refuse)  # "look after" passes
    )
    scored = [bg for bg, s in finder.score_ngrams(measures.pmi) if s >= params.min_pmi]
    # Counted in distinct contexts, so that one sentence repeated across reports (a reused
    # paragraph, a template) makes no phrase of its chance neighbours.
    uses = contexts(docs, set(scored))
    scored = [bg for bg in scored if uses[bg] >= params.min_contexts]
    scored.sort(key=lambda bg: (-finder.ngram_fd[bg], bg))
    bigrams = scored[: params.max_phrases]
    bigram_set = set(bigrams)
    # trigrams: two overlapping bigrams, in distinct contexts as often
    counts = Counter(
        (doc[i], doc[i + 1], doc[i + 2])
        for doc in docs
        for i in range(len(doc) - 2)
        if (doc[i], doc[i + 1]) in bigram_set and (doc[i + 1], doc[i + 2]) in bigram_set
    )
    uses = contexts(docs, {tg for tg, n in counts.items() if n >= params.min_count})
    trigrams = [
        tg
        for tg in sorted(uses, key=lambda tg: (-counts[tg], tg))
        if uses[tg] >= params.min_contexts
    ][: params.max_phrases // 4]
    phrases = [tg for tg in trigrams] + bigrams
    return tuple(p for p in phrases if not all(w in stop for w in p))


def joinable(words: Sequence[str], refuse: frozenset[str] = frozenset()) -> bool:
    """Whether collocation detection may join these words into a phrase: none an English
    stopword, a word of ``refuse`` or under 3 letters, bar a phrasal particle at the end."""

    def refused(word: str) -> bool:
        return word in ENGLISH_STOP_WORDS or word in refuse or len(word) < 3

    *head, last = words
    return not any(map(refused, head)) and (last in PARTICLES or not refused(last))


def contexts(
    docs: Sequence[Sequence[str]], ngrams: set[tuple[str, ...]]
) -> Counter[tuple[str, ...]]:
    """In how many distinct contexts (:func:`_around`) each n-gram occurs."""
    seen: dict[tuple[str, ...], set[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for n in {len(g) for g in ngrams}:
        for doc in docs:
            for i in range(len(doc) - n + 1):
                gram = tuple(doc[i : i + n])
                if gram in ngrams:
                    seen.setdefault(gram, set()).add(_around(doc, i, i + n))
    return Counter({g: len(c) for g, c in seen.items()})


def _around(doc: Sequence[str], start: int, end: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The context of ``doc[start:end]``: ``CONTEXT_WORDS`` words on each side."""
    return tuple(doc[max(0, start - CONTEXT_WORDS) : start]), tuple(doc[end : end + CONTEXT_WORDS])


def phrase_index(phrases: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by first word, longest first: the order in which :func:`spans` tries them."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for p in sorted(phrases, key=len, reverse=True):
        index.setdefault(p[0], []).append(p)
    return index


def spans(
    toks: Sequence[str], index: dict[str, list[tuple[str, ...]]]
) -> Iterator[tuple[int, tuple[str, ...] | None]]:
    """Left to right, the longest phrase starting at each position, else the single token."""
    i = 0
    while i < len(toks):
        for p in index.get(toks[i], ()):
            if tuple(toks[i : i + len(p)]) == p:
                yield i, p
                i += len(p)
                break
        else:
            yield i, None
            i += 1


def whole_spans(
    units: Sequence[tuple[str, ...]], index: dict[str, list[tuple[str, ...]]]
) -> Iterator[tuple[int, int, tuple[str, ...] | None]]:
    """:func:`spans` over units of one or more words, a phrase starting and ending between
    units: a hyphenated word is one unit ("life-story" as ``("life", "story")``), so "life-story
    work" is the phrase "life story work", but no phrase takes "seeking" alone out of
    "asylum-seeking". Yields (first unit, units covered, phrase or None)."""
    flat = [w for unit in units for w in unit]
    starts = list(itertools.accumulate((len(u) for u in units), initial=0))
    unit_at = {start: k for k, start in enumerate(starts)}
    k = 0
    while k < len(units):
        pos = starts[k]
        for p in index.get(flat[pos], ()):
            end = pos + len(p)
            if end in unit_at and tuple(flat[pos:end]) == p:
                yield k, unit_at[end] - k, p
                k = unit_at[end]
                break
        else:
            yield k, 1, None
            k += 1


def _neighbours(
    docs: Sequence[Sequence[str]], phrases: Sequence[tuple[str, ...]]
) -> tuple[Counter, Counter[tuple[tuple[str, ...], str]], Counter[tuple[tuple[str, ...], str]]]:
    """How often each phrase occurs (matched as :meth:`Analyzer.merge` matches) and its
    neighbours, in distinct contexts (``CONTEXT_WORDS`` on each side): a sentence repeated
    across reports counts once."""
    index = phrase_index(phrases)
    seen: Counter[tuple[str, ...]] = Counter()
    before: Counter[tuple[tuple[str, ...], str]] = Counter()
    after: Counter[tuple[tuple[str, ...], str]] = Counter()
    counted: set[tuple[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]]] = set()
    for doc in docs:
        for i, p in spans(doc, index):
            if p is None:
                continue
            end = i + len(p)
            occurrence = (p, _around(doc, i, end))
            if occurrence in counted:
                continue
            counted.add(occurrence)
            seen[p] += 1
            if i > 0:
                before[(p, doc[i - 1])] += 1
            if end < len(doc):
                after[(p, doc[end])] += 1
    return seen, before, after


def extend_phrases(
    phrases: Sequence[tuple[str, ...]],
    docs: Sequence[Sequence[str]],
    refuse: frozenset[str],
    params: PhraseParams = PhraseParams(),
) -> tuple[tuple[str, ...], ...]:
    """Complete phrases that the corpus nearly always writes with one more word.

    Collocation detection works on pairs, so "newly qualified social workers" comes out as
    "newly qualified social" and "children looked after" as "children looked". A phrase
    next to the same word in ``extend_share`` of its occurrences (and ``extend_min`` times)
    takes that word in, unless it is a stopword (bar a phrasal particle such as "after")
    or a word of ``refuse`` (months, numbers, place names).
    """
    ends = ENGLISH_STOP_WORDS - PARTICLES
    out = list(dict.fromkeys(phrases))
    for _ in range(params.max_words):
        seen, before, after = _neighbours(docs, out)
        grown: dict[tuple[str, ...], tuple[str, ...]] = {}
        for counts, side in ((after, 1), (before, -1)):
            for (p, word), n in counts.items():
                if p in grown or len(p) >= params.max_words:
                    continue
                if n < max(params.extend_min, params.extend_share * seen[p]):
                    continue
                starts_stop = side < 0 and word in ENGLISH_STOP_WORDS
                if starts_stop or word in ends or word in refuse or len(word) < 3:
                    continue
                grown[p] = (*p, word) if side > 0 else (word, *p)
        if not grown:
            break
        out = list(dict.fromkeys(grown.get(p, p) for p in out))
    return tuple(out)
