"""Multi-word expressions: found by collocation, completed from the corpus, matched longest first."""

from __future__ import annotations

from lip_research.phrases import (
    PhraseParams,
    extend_phrases,
    find_phrases,
    phrase_index,
    spans,
    whole_spans,
)

PARAMS = PhraseParams(min_count=3)


def varied(parts: str, n: int) -> list[list[str]]:
    """``n`` texts of the ``|``-separated parts, with words of their own between the parts, as
    a phrase meets other words in each new sentence."""
    return [
        [w for k, part in enumerate(parts.split("|")) for w in [f"filler{i}x{k}", *part.split()]]
        for i in range(n)
    ]


def test_collocations_become_phrases_but_not_across_stopwords_or_refused_words():
    docs = varied(
        "health visitor | see mother march visit then | look after | baby of the sibling", 5
    )
    found = find_phrases(docs, stop=frozenset(), refuse=frozenset({"march"}), params=PARAMS)
    assert ("health", "visitor") in found
    assert ("look", "after") in found  # a phrasal particle may end a phrase
    assert not any("march" in p for p in found)
    assert not any(p[0] in {"of", "the"} for p in found)


def test_a_phrase_of_stop_words_only_is_dropped():
    docs = varied("health visitor | see mother then | look after | baby", 5)
    assert ("health", "visitor") in find_phrases(docs, stop=frozenset(), params=PARAMS)
    found = find_phrases(docs, stop=frozenset({"health", "visitor"}), params=PARAMS)
    assert ("health", "visitor") not in found and ("look", "after") in found


def test_one_sentence_repeated_across_reports_makes_no_phrase():
    """A reused paragraph or template is one context, however many reports repeat it: its
    chance neighbours ('professional preparing') are no phrase; the same words meeting in
    other sentences are."""
    sentence = "the health professional preparing the report was asked".split()
    assert find_phrases([sentence] * 20, stop=frozenset(), params=PARAMS) == ()
    docs = varied("professional preparing | the report was asked", 3)
    assert ("professional", "preparing") in find_phrases(docs, stop=frozenset(), params=PARAMS)


def test_a_phrase_is_not_completed_from_a_handful_of_occurrences():
    phrase = (("personal", "adviser"),)
    assert extend_phrases(phrase, varied("personal adviser help", 9), frozenset()) == phrase
    docs = varied("personal adviser help", 10)
    assert extend_phrases(phrase, docs, frozenset()) == (("personal", "adviser", "help"),)
    assert extend_phrases(phrase, docs, frozenset({"help"})) == phrase  # a place name
    # ten copies of one sentence are one occurrence
    copies = [["personal", "adviser", "help"]] * 10
    assert extend_phrases(phrase, copies, frozenset()) == phrase


def test_the_longest_phrase_is_matched_first():
    index = phrase_index([("child", "protection"), ("child", "protection", "plan")])
    toks = "child protection plan and child protection".split()
    assert list(spans(toks, index)) == [
        (0, ("child", "protection", "plan")),
        (3, None),
        (4, ("child", "protection")),
    ]


def test_a_hyphenated_word_joins_a_phrase_whole_or_not_at_all():
    index = phrase_index([("life", "story", "work"), ("seek", "child")])
    units = [("life", "story"), ("work",), ("and",), ("asylum", "seek"), ("child",), ("life",)]
    assert list(whole_spans(units, index)) == [
        (0, 2, ("life", "story", "work")),  # 'life-story work'
        (2, 1, None),
        (3, 1, None),  # no phrase takes 'seeking' out of 'asylum-seeking'
        (4, 1, None),
        (5, 1, None),
    ]
    ends_inside = phrase_index([("emotional", "well")])
    assert list(whole_spans([("emotional",), ("well", "be")], ends_inside)) == [
        (0, 1, None),  # no phrase ends halfway through 'well-being'
        (1, 1, None),
    ]
    plain = "child protection plan and child protection".split()
    index = phrase_index([("child", "protection"), ("child", "protection", "plan")])
    assert [(k, p) for k, _, p in whole_spans([(w,) for w in plain], index)] == list(
        spans(plain, index)
    )


def test_put_ends_no_phrase_found_by_collocation():
    """'safeguards put in place' is stock prose: 'staying put' comes from the terms of art."""
    docs = varied("safeguard put | see the council | mother visit then | look after", 5)
    assert ("safeguard", "put") not in find_phrases(docs, stop=frozenset(), params=PARAMS)
