"""Multi-word expressions: found by collocation, completed from the corpus, matched longest first."""

from __future__ import annotations

from lip_research.phrases import PhraseParams, extend_phrases, find_phrases, phrase_index, spans

PARAMS = PhraseParams(min_count=3)


def test_collocations_become_phrases_but_not_across_stopwords_or_refused_words():
    doc = "health visitor see mother march visit then look after baby of the sibling".split()
    found = find_phrases([doc] * 5, stop=frozenset(), refuse=frozenset({"march"}), params=PARAMS)
    assert ("health", "visitor") in found
    assert ("look", "after") in found  # a phrasal particle may end a phrase
    assert not any("march" in p for p in found)
    assert not any(p[0] in {"of", "the"} for p in found)


def test_a_phrase_of_stop_words_only_is_dropped():
    doc = "health visitor see mother then look after baby".split()
    assert ("health", "visitor") in find_phrases([doc] * 5, stop=frozenset(), params=PARAMS)
    found = find_phrases([doc] * 5, stop=frozenset({"health", "visitor"}), params=PARAMS)
    assert ("health", "visitor") not in found and ("look", "after") in found


def test_a_phrase_is_not_completed_from_a_handful_of_occurrences():
    doc = ["personal", "adviser", "help"]
    phrase = (("personal", "adviser"),)
    assert extend_phrases(phrase, [doc] * 9, frozenset()) == phrase
    assert extend_phrases(phrase, [doc] * 10, frozenset()) == (("personal", "adviser", "help"),)
    assert extend_phrases(phrase, [doc] * 10, frozenset({"help"})) == phrase  # a place name


def test_the_longest_phrase_is_matched_first():
    index = phrase_index([("child", "protection"), ("child", "protection", "plan")])
    toks = "child protection plan and child protection".split()
    assert list(spans(toks, index)) == [
        (0, ("child", "protection", "plan")),
        (3, None),
        (4, ("child", "protection")),
    ]
