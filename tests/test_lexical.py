"""Tokens, lemmas, short quotes and citations shared by the lenses."""

from __future__ import annotations

import pytest

from lip_research import lexical


def test_lemmas_meet_across_inflections():
    got = lexical.content_lemmas("The babies' bruises and Bruising were recorded")
    assert got == ["baby", "bruise", "bruise", "record"]
    assert lexical.tokens("non-mobile, 3 visits.") == ["non-mobile", "3", "visits"]


def test_excerpt_is_short_and_marked():
    text = " ".join(f"w{i}" for i in range(100))
    assert len(lexical.excerpt(text).split()) == 41 and lexical.excerpt(text).endswith("…")
    around = lexical.excerpt(text, around="w60")
    assert around.startswith("… ") and "w60" in around
    assert lexical.excerpt("short text") == "short text"


def test_a_topic_excerpt_shows_the_sentences_that_hold_its_words():
    opening = "The report is arranged as follows, with the findings after the methodology. " * 3
    finding = "Weeks passed before a strategy meeting was held. The strategy meetings left out the school."
    got = lexical.excerpt_with(opening + finding, ["strategy meeting", "school"], 20)
    assert got.startswith("… Weeks passed before a strategy meeting") and "school" in got
    short = "The report is arranged as follows. Section four gives the findings. "  # < 20 words
    got = lexical.excerpt_with(short + finding, ["strategy meeting", "school"], 20)
    assert got.startswith("… Weeks passed")  # not the opening that just reaches the words
    plain = lexical.excerpt_with(opening + finding, ["adoption"], 20)
    assert plain == lexical.excerpt(opening + finding, 20)  # no word found: the start


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("d", "analysis", 3, 3), "d, analysis, p. 3"),
        (("d", "analysis", 3, 5), "d, analysis, pp. 3-5"),
        (("d", None, float("nan"), None), "d"),
        (("d", "", 2.0, None), "d, p. 2"),
    ],
)
def test_citation(args, expected):
    assert lexical.citation(*args) == expected


def test_citations_cover_tables_without_section_or_page_columns():
    import pandas as pd

    full = pd.DataFrame(
        {
            "doc_id": ["r1", "r2"],
            "section": ["Findings", None],
            "page_start": [3, 5],
            "page_end": [4, 5],
        }
    )
    assert lexical.citations(full) == ["r1, Findings, pp. 3-4", "r2, p. 5"]
    assert lexical.citations(pd.DataFrame({"doc_id": ["r1"]})) == ["r1"]


def test_near_duplicates():
    a = lexical.shingles("one two three four five six")
    b = lexical.shingles("One, two three four five six seven!")
    assert lexical.near_duplicate(a, b)
    assert not lexical.near_duplicate(a, lexical.shingles("something else entirely here now"))
