"""Abbreviations a corpus defines, and topic words that read each as one term with its long form."""

from __future__ import annotations

import pytest

from lip_research.abbreviations import defined, long_form
from lip_research.phrases import PhraseParams
from lip_research.preprocess import build_analyzer


@pytest.mark.parametrize(
    ("before", "short", "expected"),
    [
        ("caseloads of independent reviewing officers", "IROs", "independent reviewing officers"),
        ("referred to the multi-agency safeguarding hub", "MASH", "multi-agency safeguarding hub"),
        (
            "seen by child and adolescent mental health services",
            "CAMHS",
            "child and adolescent mental health services",
        ),
        ("the voice of the children in care council", "CiCC", "children in care council"),
        (
            "young people not in education, employment or training",
            "NEET",
            "not in education employment or training",
        ),
    ],
)
def test_a_long_form_is_the_shortest_run_of_words_whose_initials_spell_it(before, short, expected):
    words = [w.rstrip(",") for w in before.split()]
    assert " ".join(long_form(words, short)).lower() == expected


@pytest.mark.parametrize(
    ("before", "short"),
    [
        ("the report of the panel", "SCR"),  # initials do not spell it
        ("work with the police and", "PA"),  # a long form does not end on a function word
    ],
)
def test_words_that_do_not_spell_the_abbreviation_are_no_long_form(before, short):
    assert long_form(before.split(), short) is None


def test_definitions_are_counted_as_written():
    texts = [
        "Caseloads of independent reviewing officers (IROs) are high. See the annex (page 4).",
        "The independent reviewing officer (IRO) challenges drift. Visits (weekly) were made.",
        "The independent reviewing officers (IROs) meet children.",
    ]
    assert defined(texts) == {
        ("IROs", "independent reviewing officers"): 2,
        ("IRO", "independent reviewing officer"): 1,
    }


NAMES = ("alpha", "bravo", "delta", "echo", "golf", "hotel", "india", "kilo")  # varied contexts


def corpus(defined_in: int = 2) -> list[str]:
    texts = []
    for i, w in enumerate(NAMES):
        definition = "independent reviewing officers (IROs)" if i < defined_in else "IROs"
        texts += [
            f"In {w} the {definition} chair reviews well, and in {w}b IROs are busy.",
            f"Independent reviewing officers in {w}c chair the reviews of children in care.",
        ]
    return texts


def analyzer(texts, **kw):
    return build_analyzer(
        texts, phrase_params=PhraseParams(min_count=3), min_df=1, max_df=1.0, min_terms=0, **kw
    )


def test_an_abbreviation_and_its_long_form_are_one_topic_word():
    a = analyzer(corpus())
    terms = a("The IROs and the independent reviewing officer chair.")
    assert terms == ["independent review officer", "independent review officer", "chair"]
    assert a.display("independent review officer") == "IROs"  # the commonest written form
    assert a.defined == (("IROs", "independent reviewing officers"),)


def test_an_abbreviation_defined_once_stays_apart():
    a = analyzer(corpus(defined_in=1))
    assert a("The IROs and the independent reviewing officer chair.") == [
        "iro",
        "independent review officer",
        "chair",
    ]
    assert a.defined == ()


def test_a_stopword_given_in_either_form_stops_both():
    for stop in ("IROs", "independent reviewing officers"):
        a = analyzer(corpus(), extra_stopwords=[stop])
        assert a("The IROs and the independent reviewing officer chair.") == ["chair"]


def test_an_abbreviation_that_is_a_stopword_stays_apart_and_a_place_name_is_no_long_form():
    texts = [
        f"The local safeguarding children board (LSCB) in {w} and the Kirklees safeguarding "
        f"children board (KSCB) met {w}b. The LSCB and KSCB agreed."
        for w in NAMES
    ]
    a = analyzer(texts, names=["Kirklees"])
    terms = a("The local safeguarding children board and the LSCB and KSCB met.")
    assert "local safeguard child board" in terms  # 'lscb' is report boilerplate
    assert "kscb" in terms and a.defined == ()
