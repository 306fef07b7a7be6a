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


def test_an_abbreviation_an_english_word_reads_as_stays_apart():
    """'sent' reads as 'send': were SEND merged, letters sent would become special needs."""
    texts = []
    for i, w in enumerate(NAMES):
        d = "special educational needs and disabilities (SEND)" if i < 3 else "SEND"
        texts += [
            f"In {w} children with {d} are seen, and in {w}b SEND plans are timely.",
            f"Children with special educational needs and disabilities in {w}c attend school.",
            f"Letters are sent to parents in {w}d.",
        ]
    a = analyzer(texts)
    assert a.defined == ()
    assert "send" in a("The letter was sent.") and "send" in a("SEND support")


def test_an_abbreviation_in_mixed_case_is_one_term_with_its_long_form_and_shown_so():
    texts = []
    for i, w in enumerate(NAMES):
        d = "the children in care council (CiCC)" if i < 2 else "the CiCC"
        texts += [
            f"In {w} {d} meets often, and in {w}b the CiCC is heard by leaders.",
            f"Leaders of {w}c meet the children in care council.",
        ]
    a = analyzer(texts)
    assert a.defined == (("CiCC", "children in care council"),)
    assert a("The CiCC and the children in care council met.")[:2] == ["child in care council"] * 2
    assert a.display("child in care council") == "CiCC"


def test_run_json_lists_only_the_long_forms_read_as_one():
    """A second long form defined for the same abbreviation that is no phrase stays apart,
    and is not listed."""
    texts = corpus() + [
        "Two internal reviewing officers (IROs) were named.",
        "The internal reviewing officers (IROs) left.",
    ]
    a = analyzer(texts)
    assert a.defined == (("IROs", "independent reviewing officers"),)
    assert "independent review officer" not in a("The internal reviewing officers met.")
