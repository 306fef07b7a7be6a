"""Sections and passages on small inline reports."""

from __future__ import annotations

import pytest

from lip_research.clean import clean_pages
from lip_research.segment import SECTIONS, chunk_passages, heading_section, label_sections


def sentences(n: int, topic: str = "the family") -> str:
    """n distinct ten-word sentences."""
    return " ".join(
        f"Sentence {i} says practitioners met {topic} again that week." for i in range(n)
    )


def report(text: str, structured: bool = False) -> list[dict]:
    return label_sections(clean_pages([text], structured).blocks)


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Executive summary", "executive_summary"),
        ("Summary", "executive_summary"),
        ("1. Introduction", "introduction"),
        ("Reason for the review", "introduction"),
        ("Scope and terms of reference", "terms_of_reference"),
        ("2 SCOPE OF THE REVIEW", "terms_of_reference"),
        ("The review process", "methodology"),
        ("Review methodology", "methodology"),
        ("Methodology and review model", "methodology"),
        ("Involvement of the family", "family_involvement"),
        ("Family contribution", "family_involvement"),
        ("Background and family context", "background"),
        ("Section 4: Key practice episodes", "chronology"),
        ("Narrative", "chronology"),
        ("Summary of events", "chronology"),
        ("Chronology of key events", "chronology"),
        ("2.3 Analysis of practice", "analysis"),
        ("Lessons learned", "findings"),
        ("Conclusions", "findings"),
        ("Learning", "findings"),
        ("Key findings", "findings"),
        ("Findings and learning", "findings"),
        ("Examples of good practice", "good_practice"),
        ("RECOMMENDATIONS", "recommendations"),
        ("Partnership response", "board_response"),
        ("Response of the board", "board_response"),
        ("Appendix A: Terms of reference", "appendix"),
        ("Glossary", "appendix"),
        ("Footnotes", "appendix"),  # a Word file's notes, read after its body
        ("Endnotes", "appendix"),
        ("Contents", "contents"),
        ("Mother's mental health", None),
        ("Information sharing between GP and school", None),
    ],
)
def test_heading_section(heading, section):
    assert heading_section(heading) == section
    assert section is None or section in SECTIONS


TEXT = f"""SERIOUS CASE REVIEW: CHILD A

Published by Westmoor Safeguarding Children Partnership, 2021

1. Introduction

{sentences(5)}

2. Key practice episodes

{sentences(8, "the mother")}

Episode one: the first referral

{sentences(8, "the school")}

3. Lessons learned

{sentences(3, "the police")}
"""


def test_sections_follow_headings_and_subheadings_keep_them():
    blocks = report(TEXT)
    by_text = {b["text"][:20]: (b["kind"], b["section"], b["heading"]) for b in blocks}
    assert by_text["SERIOUS CASE REVIEW:"] == (
        "subheading",
        "front_matter",
        "SERIOUS CASE REVIEW: CHILD A",
    )
    assert by_text["2. Key practice epis"] == ("section", "chronology", "2. Key practice episodes")
    assert by_text["Episode one: the fir"] == (
        "subheading",
        "chronology",
        "Episode one: the first referral",
    )
    assert by_text["3. Lessons learned"] == ("section", "findings", "3. Lessons learned")


def test_passages_never_cross_sections_and_slice_the_text():
    blocks = report(TEXT)
    doc_text, passages = chunk_passages(blocks, min_words=40, max_words=60)
    assert [(p["section"], p["n_words"]) for p in passages] == [
        ("front_matter", 12),
        ("introduction", 50),
        ("chronology", 60),
        ("chronology", 55),  # 20 words, the sub-heading, and sentences up to the limit
        ("chronology", 50),
        ("findings", 30),
    ]
    for passage in passages:
        assert passage["text"] == doc_text[passage["char_start"] : passage["char_end"]]
        assert "Lessons learned" not in passage["text"]  # section headings label, not text


def test_long_paragraph_splits_at_sentence_ends_within_limits():
    blocks = report(f"Analysis\n\n{sentences(70)}")
    _, passages = chunk_passages(blocks, min_words=100, max_words=250)
    assert [p["n_words"] for p in passages] == [250, 250, 200]
    assert all(p["text"].endswith("week.") for p in passages)


def test_short_text_is_one_passage():
    summary = sentences(18)  # a 180-word catalogue summary
    _, passages = chunk_passages(report(summary), min_words=100, max_words=250)
    assert len(passages) == 1 and passages[0]["n_words"] == 180


def test_short_tail_is_folded_into_the_passage_before():
    text = "Findings\n\n" + "\n\n".join(sentences(10) for _ in range(2)) + "\n\n" + sentences(2)
    _, passages = chunk_passages(report(text), min_words=100, max_words=250)
    assert [p["n_words"] for p in passages] == [220]


def test_page_ranges_follow_the_pages():
    pages = [f"Background\n{sentences(12)}", sentences(12, "the GP"), sentences(12, "the school")]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    _, passages = chunk_passages(blocks, min_words=100, max_words=250)
    assert [(p["page_start"], p["page_end"]) for p in passages] == [(1, 2), (3, 3)]


def test_a_passage_cut_from_a_paragraph_over_a_page_break_cites_its_own_pages():
    # one long paragraph runs from page 1 onto page 2 (no full stop before the break)
    first = sentences(30, "the GP") + " The health visitor and the school nurse then met the"
    pages = [f"Findings\n{first}", sentences(30, "the school")]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    assert (blocks[-1]["page_start"], blocks[-1]["page_end"]) == (1, 2)  # joined
    _, passages = chunk_passages(blocks, min_words=100, max_words=250)
    assert [(p["page_start"], p["page_end"]) for p in passages] == [(1, 1), (1, 2), (2, 2)]
    assert "the school" in passages[-1]["text"] and "the GP" not in passages[-1]["text"]


def test_a_numbered_paragraph_at_the_top_of_a_page_starts_afresh():
    pages = [
        "Findings\n" + sentences(8) + "\nwell enough. (Recommendation)",
        "39. Where children live far away, " + sentences(8, "the school"),
    ]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    assert [b["text"][:4] for b in blocks[-2:]] == ["Sent", "39. "]
    assert [(b["page_start"], b["page_end"]) for b in blocks[-2:]] == [(1, 1), (2, 2)]


def test_an_inspections_title_page_table_of_judgements_is_front_matter():
    pages = [
        "Bury Borough Council\n\nInspection of services for children\n\n"
        f"# 3. Leadership, management and governance Good\n\n{sentences(3)}",
        f"# Executive summary\n\n{sentences(8)}",
        f"# Leadership, management and governance Good\n\n{sentences(8)}",
    ]
    blocks = label_sections(clean_pages(pages, True).blocks)
    sections = [(b["page_start"], b["section"]) for b in blocks]
    assert sections[:4] == [(1, "front_matter")] * 4
    # a row of the title page's table is not the heading of the summary under it
    assert not any("Leadership" in (b["heading"] or "") for b in blocks if b["page_start"] == 1)
    assert sections[-1] == (3, "findings")  # the same heading later in the report
    unpaged = label_sections(clean_pages(["\n\n".join(pages)], True).blocks)
    assert unpaged[-1]["section"] == "findings" and unpaged[3]["section"] == "findings"


def test_markdown_contents_list_does_not_switch_sections():
    text = (
        "# Review of Child B\n\n## Contents\n\nIntroduction\nFindings\nRecommendations\n\n"
        f"## Introduction\n\n{sentences(12)}\n\n## Findings\n\n{sentences(12)}\n"
    )
    blocks = report(text, structured=True)
    _, passages = chunk_passages(blocks, min_words=100, max_words=250)
    assert [p["section"] for p in passages] == ["front_matter", "introduction", "findings"]


def test_an_inspection_heading_wrapped_in_a_narrow_column_starts_its_section():
    page = (
        "Summary for children and young people\n\n"
        "Children in Westmoor now receive better support than they did before.\n\n"
        "The experiences and progress of \nchildren who need help and protection\nRequires \n"
        "improvement\nInspection findings\n\n"
        "8. Early help services are increasingly reaching children when needs are first "
        "identified, and result in effective support for families."
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert [b["section"] for b in blocks] == [
        "executive_summary", "executive_summary", "findings", "findings"
    ]  # fmt: skip
    assert blocks[2]["kind"] == "section"  # five short lines, one heading


def test_a_short_sentence_in_a_narrow_column_is_no_heading():
    page = (
        "Introduction\n\nThe partnership commissioned this review in March.\n\n"
        "Learning from this\nreview will be\nshared with all\npartner agencies\nin 2021\n\n"
        "The review was led by an independent reviewer."
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert {b["section"] for b in blocks} == {"introduction"}


def test_a_heading_with_no_text_under_it_opens_the_next_section():
    """'The local authority' on the page after an executive summary introduces the background
    that follows: it neither ends the summary's last passage nor stretches its pages."""
    pages = [
        f"Executive summary\n{sentences(12)}",
        "The local authority\n\nInformation about this local authority area\n\n"
        + sentences(12, "the school"),
    ]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    _, passages = chunk_passages(blocks, min_words=100, max_words=250)
    summary, background = passages
    assert summary["section"] == "executive_summary" and (
        summary["page_start"],
        summary["page_end"],
    ) == (1, 1)
    assert not summary["text"].rstrip().endswith("The local authority")
    assert background["section"] == "background"
    assert background["text"].startswith("The local authority\n\nInformation about this")


def test_a_range_cut_at_its_dash_by_a_line_break_is_joined():
    blocks = clean_pages(
        [f"Findings\nThe rate fell from 9% at the end 2014–\n15 to 4%. {sentences(3)}"], False
    ).blocks
    assert "at the end 2014-15 to 4%" in blocks[-1]["text"]


def test_a_long_inspection_judgement_heading_is_the_heading_of_what_follows():
    """Since 2018 a judgement heading can run to 17 words and two lines; the paragraphs under
    it take it as their heading, not the judgement before."""
    page = (
        "The experiences and progress of children who need help and protection are good\n\n"
        f"1. {sentences(3)}\n\n"
        "The experiences and progress of children in care and care leavers requires\n"
        "improvement to be good\n\n"
        f"18. Decisions for children to come into care are timely. {sentences(3, 'the carers')}"
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    last = blocks[-1]
    assert last["text"].startswith("18. Decisions")
    assert last["heading"] == (
        "The experiences and progress of children in care and care leavers requires "
        "improvement to be good"
    )


def as_pdf_lines(text: str, width: int = 80) -> str:
    """Text wrapped as a PDF gives it: full lines, each keeping the space where it wrapped."""
    import textwrap

    lines = textwrap.wrap(text, width)
    return "\n".join(line + " " for line in lines[:-1]) + "\n" + lines[-1]


FINDING = (
    "17. Arrangements to manage allegations against professionals are timely and effective. "
    "Meetings are well attended and result in consistently well-coordinated action plans that "
    "protect children and ensure that investigations are thorough and purposeful."
)


def test_a_judgement_heading_after_a_full_last_line_is_still_a_heading():
    """The paragraph before ends on a full line, so only the heading's words tell it apart."""
    page = (
        "The experiences and progress of children who need help and protection are good\n"
        + as_pdf_lines(FINDING)
        + "\nThe experiences and progress of children in care and care leavers requires \n"
        "improvement to be good\n"
        + as_pdf_lines(f"18. Decisions for children to come into care are timely. {sentences(3)}")
    )
    assert len(page.splitlines()[3]) > 0.9 * 80  # "...purposeful." fills its line
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert blocks[1]["text"].endswith("thorough and purposeful.")
    assert blocks[-1]["heading"].startswith("The experiences and progress of children in care")


@pytest.mark.parametrize("summary", ["Summary\n", ""])
def test_an_inspection_judgement_heading_ends_at_its_grade(summary):
    """2016-17 inspections put a judgement's two-line heading (and 'Summary') straight above
    its text, with no gap; the text is findings under that heading, not more of the summary."""
    pages = [
        f"Summary for children and young people\n{as_pdf_lines(sentences(8))}",
        "The experiences and progress of \nchildren who need help and protection Requires "
        f"improvement \n{summary}"
        + as_pdf_lines(
            "No children have been found in situations of unassessed risk. " + sentences(8)
        ),
    ]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    last = blocks[-1]
    assert last["text"].startswith("No children have been found")
    assert (last["section"], last["page_start"]) == ("findings", 2)
    assert last["heading"].startswith("The experiences and progress of children who need help")


def test_a_paragraph_number_printed_without_a_space_starts_a_paragraph():
    page = (
        "Findings\n"
        + as_pdf_lines(FINDING)
        + "\n10.Direct work with children is well embedded in practice and is recorded well."
    )
    blocks = clean_pages([page], structured=False).blocks
    assert blocks[-1]["text"] == (
        "10. Direct work with children is well embedded in practice and is recorded well."
    )


def test_a_recommendation_mark_ends_the_paragraph_before_a_page_break():
    pages = [
        "Findings\n"
        + as_pdf_lines(f"{sentences(6)} The work is improving.")
        + "\n(Recommendation)",
        "The experiences and progress of children \nlooked after and achieving permanence Good \n"
        + as_pdf_lines("The outcomes for the vast majority of children are good. " + sentences(6)),
    ]
    blocks = label_sections(clean_pages(pages, structured=False).blocks)
    assert (blocks[-1]["page_start"], blocks[-1]["heading"]) == (
        2,
        "The experiences and progress of children looked after and achieving permanence Good",
    )
    assert all(b["page_end"] == 1 for b in blocks if "(Recommendation)" in b["text"])


def test_a_line_that_opens_with_a_section_word_but_runs_on_is_text():
    """'Recommendations are closely tracked ... on the' / 'LSCB website.' is a sentence: its
    words stay in the passage, and the findings stay findings."""
    page = (
        "Findings\n"
        + as_pdf_lines(f"{FINDING} {sentences(4)}", 95)  # lines wider than the one below
        + "\nRecommendations are closely tracked and scrutiny reports published on the \n"
        "LSCB website. Partners are expected to report on progress at each meeting."
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert {b["section"] for b in blocks} == {"findings"}
    assert any("closely tracked and scrutiny reports" in b["text"] for b in blocks[1:])


def test_a_graded_judgement_line_is_the_heading_of_the_findings_under_it():
    page = (
        "Inspection findings\n"
        + as_pdf_lines(FINDING)
        + "\nThe graded judgement for adoption performance is that it is good\n"
        + as_pdf_lines(f"73. The local authority gives high priority to adoption. {sentences(3)}")
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert blocks[-1]["text"].startswith("73. The local authority")
    assert (
        blocks[-1]["heading"] == "The graded judgement for adoption performance is that it is good"
    )


def test_a_judgement_written_as_a_sentence_heads_the_findings_under_it():
    page = (
        "Inspection findings\n"
        + as_pdf_lines(FINDING)
        + "\nThe impact of leaders on social work practice with children and families is good.\n"
        + as_pdf_lines(f"40. Senior leaders know their services well. {sentences(3)}")
        + "\nAgency staff often do not have supervision. (Recommendation)\n"
        + as_pdf_lines(f"41. Caseloads are manageable. {sentences(3, 'the team')}")
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    heading = "The impact of leaders on social work practice with children and families is good."
    assert [b["heading"] for b in blocks if b["text"].startswith(("40.", "41."))] == [heading] * 2


def test_a_summary_sentence_about_a_judgement_area_is_not_a_heading():
    page = (  # the sentence ends its line, as a heading would
        "Executive summary\n"
        + as_pdf_lines(sentences(4))
        + "\nThe experiences and progress of care leavers in Westmoor are good. \n"
        + as_pdf_lines(f"Personal advisers keep in touch with all care leavers. {sentences(3)}")
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert {b["section"] for b in blocks} == {"executive_summary"}


@pytest.mark.parametrize(
    ("heading", "sentence"),
    [
        ("Inspection findings", "The impact of leaders on social work practice is not yet good."),
        ("Inspection findings", "Overall effectiveness was judged inadequate."),
        ("Executive summary", "The experiences and progress of care leavers are good."),
    ],
)
def test_a_judgement_sentence_is_a_heading_only_as_a_plain_finding(heading, sentence):
    """A negated or reported grade, or a summary's sentence, is text of the section it is in."""
    text = f"# {heading}\n\n{sentences(3)}\n\n{sentence}\n\n{sentences(3, 'the team')}"
    blocks = report(text, structured=True)
    assert all(b["kind"] == "text" for b in blocks[1:])
    assert blocks[-1]["heading"] == heading


def test_a_wrapped_judgement_heading_after_a_list_item_starts_the_findings():
    """The last item of 'What needs to improve' has no full stop; the judgement heading under
    it, wrapped at 'and', starts the findings."""
    page = (
        "What needs to improve\n"
        "\u2022 The regularity and quality of social worker supervision.\n"
        "\u2022 The quality of life-story work for all children\n"
        "The experiences and progress of children who need help and \n"
        "protection requires improvement\n"
        + as_pdf_lines(f"1. No children seen were found to be at risk. {sentences(3)}")
    )
    blocks = label_sections(clean_pages([page], structured=False).blocks)
    assert blocks[-1]["text"].startswith("1. No children")
    assert blocks[-1]["section"] == "findings"
    assert not blocks[-1]["heading"].startswith("What needs")
