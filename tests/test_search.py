"""Keyword-in-context (lemma-aware, multi-word) and semantic search, each hit cited."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lens_fixtures import fake_embed, mini_passages

from lip_research import search


@pytest.fixture
def conc():
    return search.build_concordance(mini_passages())


def test_lemma_aware_single_word(conc):
    hits = search.concordance(conc, "bruises", context=3)
    assert hits["match"].tolist() == ["bruise", "Bruising"]
    assert hits["citation"].tolist() == ["d1, chronology, p. 1", "d1, analysis, p. 2"]
    assert hits.loc[1, "right"] == "on a non-mobile"


def test_multi_word_phrase_keeps_punctuation_and_case(conc):
    hits = search.concordance(conc, "share information")
    assert hits["passage_id"].tolist() == ["d2-p0001"]
    assert hits.loc[0, "match"] == "share information"
    assert hits.loc[0, "left"] == "The school did not"
    none = search.concordance(conc, "information sharing protocol")
    assert none.empty and "citation" in none.columns


def test_phrases_do_not_cross_passages():
    passages = pd.DataFrame(
        {
            "passage_id": ["a", "b"],
            "doc_id": ["d", "d"],
            "text": ["ends with strategy", "discussion starts here"],
        }
    )
    assert search.concordance(search.build_concordance(passages), "strategy discussion").empty


def test_empty_query_is_an_error(conc):
    with pytest.raises(ValueError, match="empty search query"):
        search.concordance(conc, " ... ")


def test_keyword_counts(conc):
    counts = search.keyword_counts(conc, "family")
    assert counts.values.tolist() == [["d1", 1], ["d3", 1]]


def test_semantic_search_and_passages_like_this_one():
    passages = mini_passages()
    vectors = fake_embed(passages["text"])
    hits = search.semantic_search(
        fake_embed(["information not shared by the school"])[0], vectors, passages, top_n=2
    )
    assert hits["passage_id"].tolist()[0] == "d2-p0001"
    assert list(hits.columns) == [
        "rank",
        "passage_id",
        "doc_id",
        "section",
        "page_start",
        "page_end",
        "citation",
        "score",
        "excerpt",
    ]
    like = search.similar_passages("d1-p0003", vectors, passages, top_n=1)
    assert like["passage_id"].tolist() == ["d3-p0001"]  # same wording, another report
    one_each = search.semantic_search(vectors[0], vectors, passages, top_n=3, one_per_doc=True)
    assert one_each["doc_id"].is_unique
    with pytest.raises(KeyError, match="no passage"):
        search.similar_passages("nope", vectors, passages)
    assert np.all(np.diff(hits["score"]) <= 0)


def test_a_semantic_query_sharing_no_word_with_the_corpus_is_flagged():
    from lip_research.search import shares_a_word

    texts = ["The health visitor saw the baby.", "Neglect of the home."]
    assert shares_a_word("neglected home conditions", texts)
    assert not shares_a_word("xyzzyplugh", texts)


def test_a_keyword_hit_is_shown_spaced_as_the_text_is():
    passages = pd.DataFrame(
        {
            "passage_id": ["a-p1", "a-p2"],
            "doc_id": ["a", "a"],
            "section": ["findings", "findings"],
            "page_start": [1, 2],
            "page_end": [1, 2],
            "text": [
                "Advice about safer sleep. The mother agreed.",
                "The IRO/LADO role and (safer sleep) were discussed.",
            ],
        }
    )
    hits = search.concordance(search.build_concordance(passages), "safer sleep")
    assert hits["line"].tolist() == [
        "Advice about [safer sleep]. The mother agreed",
        "The IRO/LADO role and ([safer sleep]) were discussed",
    ]


def test_an_acronym_finds_its_plural_as_topic_words_do():
    passages = pd.DataFrame(
        {
            "passage_id": [f"a-p{i}" for i in range(4)],
            "doc_id": ["a"] * 4,
            "section": ["findings"] * 4,
            "page_start": [1] * 4,
            "page_end": [1] * 4,
            "text": [
                "The IROs met monthly.",
                "Two IROs left.",
                "The IROs and the IRO agreed.",
                "The CAMHS team and CAMHS staff and CAMHS nurses.",
            ],
        }
    )
    conc = search.build_concordance(passages)
    assert len(search.concordance(conc, "IRO")) == 4
    assert len(search.concordance(conc, "IROs")) == 4
    assert len(search.concordance(conc, "CAMHS")) == 3  # its S is its own


def test_a_phrase_is_found_hyphenated_or_not():
    """As topic words count 'life-story work' and 'life story work' together, so does the
    concordance; 'well-being' does not find 'may well be'."""
    passages = pd.DataFrame(
        {
            "passage_id": ["a", "b", "c"],
            "doc_id": ["d", "d", "e"],
            "text": [
                "Life-story work was late.",
                "Their life story work began.",
                "It may well be that well-being improved.",
            ],
        }
    )
    conc = search.build_concordance(passages)
    for query in ("life story work", "life-story work", "Life-Story-Work"):
        hits = search.concordance(conc, query)
        assert hits["match"].tolist() == ["Life-story work", "life story work"], query
    assert search.concordance(conc, "well-being")["match"].tolist() == ["well-being"]
    assert "well-being" in search.concordance(conc, "well being")["match"].tolist()


def test_an_abbreviation_the_corpus_defines_finds_its_long_form_and_back():
    """As topic words read 'IROs' and 'independent reviewing officers' as one, so does the
    concordance; an abbreviation defined only once is searched as written."""
    passages = pd.DataFrame(
        {
            "passage_id": list("abcde"),
            "doc_id": ["d", "d", "e", "e", "e"],
            "text": [
                "Caseloads of independent reviewing officers (IROs) are high.",
                "The independent reviewing officer (IRO) challenged drift; IROs visit.",
                "IROs meet children before reviews. The SGO panel met.",
                "The special guardianship order (SGO) was made.",
                "An independent reviewing officer saw him.",
            ],
        }
    )
    conc = search.build_concordance(passages)
    expected = [
        "independent reviewing officers",
        "IROs",
        "independent reviewing officer",
        "IRO",
        "IROs",
        "IROs",
        "independent reviewing officer",
    ]
    for query in ("IRO", "independent reviewing officers"):
        assert search.concordance(conc, query)["match"].tolist() == expected, query
    assert search.concordance(conc, "SGO")["match"].tolist() == ["SGO", "SGO"]
    assert search.concordance(conc, "special guardianship order")["match"].tolist() == [
        "special guardianship order"
    ]


def test_an_abbreviation_is_not_found_inside_another_ones_long_form_nor_across_places():
    """'EET' is not NEET's 'not in education, employment or training'; a local abbreviation
    ('SSCB', two boards) is searched as written, and an unhyphenated query finds MASH."""
    texts = [
        "Care leavers in education, employment or training (EET) do well: EET is high.",
        "Young people not in education, employment or training (NEET) are few.",
        "Care leavers in education, employment or training (EET) are many; NEET is low.",
        "Those not in education, employment or training (NEET) get help.",
        "The Sefton Safeguarding Children Board (SSCB) met; the SSCB agreed.",
        "The Shropshire Safeguarding Children Board (SSCB) met; the SSCB agreed.",
        "The multi-agency safeguarding hub (MASH) is busy; the MASH triages.",
        "The multi-agency safeguarding hub (MASH) is calm.",
    ]
    passages = pd.DataFrame(
        {"passage_id": [f"p{i}" for i in range(8)], "doc_id": ["d"] * 8, "text": texts}
    )
    conc = search.build_concordance(passages)
    eet = search.concordance(conc, "EET")
    assert eet["passage_id"].tolist() == ["p0", "p0", "p0", "p2", "p2"]
    assert len(search.concordance(conc, "NEET")) == 5
    # the words typed are found wherever they are written
    typed = search.concordance(conc, "education, employment or training")
    assert {"p1", "p3"} <= set(typed["passage_id"])
    board = search.concordance(conc, "Sefton Safeguarding Children Board")
    assert board["match"].tolist() == ["Sefton Safeguarding Children Board"]
    assert len(search.concordance(conc, "multi agency safeguarding hub")) == 5
