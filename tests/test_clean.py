"""Cleaning: furniture, contents pages, broken lines, boilerplate; all removals kept."""

from __future__ import annotations

import pytest

from lip_research.clean import (
    boilerplate_kind,
    clean_pages,
    copies,
    is_shared,
    normalise,
    sentence_keys,
    shared_boilerplate,
    strip_contents,
    strip_furniture,
)
from lip_research.document import _document
from lip_research.paragraphs import is_heading_line, to_blocks

BODY = [
    "The health visitor saw the family at home and recorded that the baby was well.",
    "Children's social care did not hear about the move until several weeks later.",
    "The school raised concerns about attendance, and these were shared with the GP.",
]


def paged(n: int = 6) -> list[str]:
    """Pages with a running header, a footer with page numbers and different body text."""
    return [
        f"Westmoor LSCB | Serious Case Review: Child A\n{BODY[i % 3]} (page {i + 1})\nPage {i + 1} of {n}"
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("ﬁnding ﬂat", "finding flat", id="ligatures"),
        pytest.param("‘child’s’ “view”", "'child's' \"view\"", id="quotes"),
        pytest.param("2016–2017 — then", "2016-2017 - then", id="dashes"),
        pytest.param("safe\xadguarding\u200b", "safeguarding", id="soft-hyphen-zero-width"),
        pytest.param("\uf06e First point", "• First point", id="symbol-font-bullet"),
        pytest.param("multi\x02agency", "multi-agency", id="pdfium-hyphen"),
        pytest.param("a\r\nb\tc  d", "a\nb c d", id="line-ends-and-spaces"),
        pytest.param("می\u200cخواهم 👩\u200d👧", "می\u200cخواهم 👩\u200d👧", id="joiners-kept"),
    ],
)
def test_normalise(raw, clean):
    assert normalise(raw) == clean


def test_running_header_footer_and_page_numbers_removed():
    pages = [normalise(p).split("\n") for p in paged()]
    removed = strip_furniture(pages)
    assert sorted(
        {(kind, text) for _, kind, text in removed if kind == "running header/footer"}
    ) == [("running header/footer", "Westmoor LSCB | Serious Case Review: Child A")]
    assert [text for _, kind, text in removed if kind == "page number"] == [
        f"Page {i} of 6" for i in range(1, 7)
    ]
    assert all(
        line.startswith(("The", "Children", "")) for lines in pages for line in lines if line
    )
    assert sum(bool(line) for lines in pages for line in lines) == 6  # the body lines stay


def test_bare_page_numbers_removed_and_body_kept():
    pages = [[str(i + 1), BODY[i % 3]] for i in range(4)]
    removed = strip_furniture(pages)
    assert [(p, k, t) for p, k, t in removed] == [
        (i + 1, "page number", str(i + 1)) for i in range(4)
    ]
    assert [lines[1] for lines in pages] == [BODY[i % 3] for i in range(4)]


def test_a_year_alone_on_a_title_page_is_no_page_number():
    pages = [["Child A", "2024"], [BODY[0], "(Rushcombe,", "2012)", "2"], [BODY[1], "3"]]
    removed = strip_furniture(pages)
    assert [(p, t) for p, _, t in removed] == [(2, "2"), (3, "3")]
    assert pages[0] == ["Child A", "2024"] and pages[1][2] == "2012)"


def test_a_table_over_several_pages_keeps_its_repeated_cells():
    rows = ["01/03 | Children's social", "care", "Home visit", "02/03 | Police", "Call"]
    pages = [
        [f"Page {'abcd'[i]} tells more of the story.", "Date Agency Event", *rows, *rows]
        for i in range(4)
    ]  # the table's cells at the foot of every page, and twice on each
    removed = strip_furniture(pages)
    assert {t for _, _, t in removed} == {"Date Agency Event"}  # once a page: a running line
    assert all(page.count("care") == 2 for page in pages)  # twice a page: cells, kept


def test_few_pages_never_lose_a_repeated_line():
    pages = [["Findings", BODY[0]], ["Findings", BODY[1]]]
    assert strip_furniture(pages) == []


def test_contents_page_removed_real_heading_kept():
    toc = [
        "Contents",
        "1. Introduction 3",
        "2. The experiences and progress of children who need help and",  # a wrapped entry
        "protection 4",
        "3. Findings 7",
        "Recommendations 8",
        "Findings for the partnership 9",  # entries may repeat a title
    ]
    pages = [
        list(toc),
        ["1. Introduction", "This review was commissioned by the partnership in May."],
    ]
    removed = strip_contents(pages)
    assert [text for _, _, text in removed] == toc
    assert not any(pages[0])
    assert pages[1] == [
        "1. Introduction",
        "This review was commissioned by the partnership in May.",
    ]


def test_contents_without_page_numbers_stops_at_the_repeated_heading():
    pages = [
        ["Contents", "Introduction", "Background", "", "Introduction", "The review began in May."]
    ]
    strip_contents(pages)
    assert [line for line in pages[0] if line] == ["Introduction", "The review began in May."]


def test_broken_lines_become_paragraphs_with_headings_apart():
    lines = [
        "2. Background",
        "The family moved to the area in 2019 and registered with a GP practice that",
        "served the estate. The mother attended antenatal care.",
        "Key practice episodes",
        "In March the health visitor made the new birth visit and noted that the baby",
        "slept in a Moses basket beside the bed.",
    ]
    blocks = to_blocks([lines], structured=False)
    assert [b["text"] for b in blocks] == [
        "2. Background",
        "The family moved to the area in 2019 and registered with a GP practice that served the estate. The mother attended antenatal care.",
        "Key practice episodes",
        "In March the health visitor made the new birth visit and noted that the baby slept in a Moses basket beside the bed.",
    ]
    assert [b["single"] for b in blocks] == [True, False, True, False]


def test_hyphenation_repaired_from_the_documents_own_words():
    lines = [
        "Agencies shared their safe-",
        "guarding concerns; safeguarding is everyone's business and early-",
        "help workers were involved.",
    ]
    (block,) = to_blocks([lines], structured=False)
    assert block["text"] == (
        "Agencies shared their safeguarding concerns; safeguarding is everyone's business "
        "and early-help workers were involved."
    )


def test_paragraph_across_a_page_break_is_joined_with_its_pages():
    pages = [
        ["The social worker visited the family on"],
        ["the following day and saw the children."],
    ]
    (block,) = to_blocks(pages, structured=False)
    assert (
        block["text"]
        == "The social worker visited the family on the following day and saw the children."
    )
    assert (block["page_start"], block["page_end"]) == (1, 2)


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("3. Key practice episodes", True),
        ("SCOPE OF THE REVIEW", True),
        ("Family involvement", True),
        ("The mother was seen alone.", False),
        ("• Recommendation one", False),
        ("Page 4 of 12", False),
        ("and then the health visitor", False),
        # a numbered paragraph's first line cut short by the layout (herefordshire 2018)
        ("30. When children and young people become accommodated under s20", False),
        ("4. When did agencies know?", True),
        ("When things go wrong", True),
    ],
)
def test_heading_lines(line, heading):
    assert is_heading_line(line) is heading


def test_a_numbered_paragraph_whose_first_line_is_short_is_not_a_heading():
    lines = [
        "Better assessments take good account of historical concerns effectively, using",
        "research and analysis to inform planning in most of the cases that were seen.",
        "30. When children and young people become accommodated under s20",
        "Children Act 1989, the initial decision-making is appropriate. The planning that",
        "follows is not always sufficiently robust or purposeful for the children concerned.",
    ]
    blocks = to_blocks([lines], structured=False)
    assert blocks[-1]["text"].startswith("30. When children and young people become")
    assert "s20 Children Act 1989" in blocks[-1]["text"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "You may reuse this information free of charge under the Open Government Licence.",
            "licence",
        ),
        ("© Crown copyright 2024", "licence"),
        ("T: 0300 123 1231 Textphone: 0161 618 8524 E: enquiries@ofsted.gov.uk", "contact details"),
        ("For a copy in large print, email safeguarding@westmoor.gov.uk", "contact details"),
        (
            "This publication is available at www.gov.uk/government/organisations/ofsted.",
            "publisher notice",
        ),
        (
            "Interested in our work? The local authority can subscribe to our monthly newsletter "
            "for more information and updates: http://eepurl.com/iTrDn.",
            "publisher notice",
        ),
        ("The report is available from the partnership on request.", None),
        ("Young people told us they subscribe to the newsletter at www.westmoor.gov.uk.", None),
        ("The GP did not share the letter with the school, and nobody asked why.", None),
    ],
)
def test_boilerplate_kind(text, kind):
    assert boilerplate_kind(text) == kind


def test_back_page_notice_does_not_join_the_last_finding():
    """A finding that runs onto the back page must not take the publisher's lines with it."""
    pages = [
        "49. Staff receive regular supervision and management support, which they value.",
        "This publication is available at http://reports.ofsted.gov.uk/\n\n"
        "You may reuse this information (not including logos) free of charge in any format.",
    ]
    cleaned = clean_pages(pages, structured=True)
    assert [(b["text"], b["page_end"]) for b in cleaned.blocks] == [(pages[0], 1)]
    assert [kind for _, kind, _ in cleaned.removed] == ["publisher notice", "licence"]


def test_address_block_removed_up_to_its_postcode():
    text = "The review ended in May.\n\nWestmoor Safeguarding Partnership\nCivic Centre\nWestmoor\nWM1 2AB"
    cleaned = clean_pages([text], structured=True)
    assert [b["text"] for b in cleaned.blocks] == ["The review ended in May."]
    assert cleaned.removed[-1][1] == "contact details"


def test_title_page_keeps_a_sentence_or_a_field_that_holds_the_running_text():
    header, dates = "Inspection of Westmoor children's services", "22 to 26 July 2024"
    first = (
        f"{header}\nInspection dates: {dates}\n"
        "This is the first inspection of Westmoor children's services since 2019."
    )
    pages = [first] + [f"{header}\n{BODY[i % 3]}\n{dates}" for i in range(5)]
    text = " ".join(
        b["text"] for b in clean_pages(pages, structured=False).blocks if b["page_start"] == 1
    )
    assert f"Inspection dates: {dates}" in text
    assert "This is the first inspection of Westmoor children's services since 2019." in text


def test_title_page_keeps_the_running_text_inside_a_sentence():
    header = "Westmoor Safeguarding Children Partnership"
    first = f"Review of Child K\nThis review was commissioned by {header} in March 2023."
    pages = [first] + [f"{header}\n{BODY[i % 3]}" for i in range(5)]
    text = " ".join(
        b["text"] for b in clean_pages(pages, structured=False).blocks if b["page_start"] == 1
    )
    assert f"commissioned by {header} in March 2023." in text


def test_title_page_loses_the_running_header_text_too():
    pages = [
        "Inspection of Westmoor children's services\nInspection dates: 1 to 5 May 2024\nSummary text here."
    ]
    pages += [f"Inspection of Westmoor children's services\n{BODY[i % 3]}" for i in range(5)]
    cleaned = clean_pages(pages, structured=False)
    first = [b["text"] for b in cleaned.blocks if b["page_start"] == 1]
    assert not any("Inspection of Westmoor" in text for text in first)


def title_of(pages: list[str], metadata: str | None = None) -> str | None:
    return _document(pages, structured=False, title=metadata, fmt="pdf")["title_hint"]


def test_title_is_the_running_header_the_title_page_opens_with():
    header = "Inspection of Westmoor local authority children's services"
    pages = [f"1\n{header}\nInspection dates: 1 to 5 May 2024\nLead inspector: Ann Other\nSummary."]
    pages += [f"{header}\n{BODY[i % 3]}" for i in range(5)]
    assert title_of(pages) == header
    assert title_of(pages, "LA NAME - standard-short inspection report - DATE") == header
    assert title_of(pages, "Westmoor: review of children's services") == (
        "Westmoor: review of children's services"
    )


def test_a_publishers_running_header_is_no_title():
    header = "Westmoor Safeguarding Children Partnership"
    pages = [f"{header}\nSerious Case Review\n\nChild F\n\nPublished: May 2020\n\n{BODY[0]}"]
    pages += [f"{header}\n{BODY[i % 3]}" for i in range(5)]
    assert title_of(pages) == "Serious Case Review Child F"


def test_title_page_words_stop_at_its_first_field():
    pages = [
        f"Westmoor\n\nInspection of children's social care services\n\nInspection dates: 1 to 5 May "
        f"2024\n\nLead inspector: Ann Other\n\n{BODY[0]}"
    ]
    assert title_of(pages) == "Westmoor Inspection of children's social care services"
    dated = ["11 July 2022\n\nSerious Case Review: Child F Author: Ann Other\n\n" + BODY[1]]
    assert title_of(dated) == "Serious Case Review: Child F"
    reviewer = ["Serious Case Review - Child F - independent reviewer: Ann Other\n\n" + BODY[0]]
    assert title_of(reviewer) == "Serious Case Review - Child F"
    assert title_of(["Inspection dates: 1 to 5 May 2024\n\n" + BODY[2]]) is None
    subtitled = "Serious Case Review: Baby S (Westmoor, 2010)\n\nA Chapter 8 review\n\nPublished by the LSCB"
    assert title_of([f"{subtitled}\n\n{BODY[0]}"]) == "Serious Case Review: Baby S (Westmoor, 2010)"
    long = "Westmoor Borough Council\n\nInspection of services for children in need of help and protection, children looked after and care leavers and Review of the board"
    assert title_of([f"{long}\n\nInspection dates: 1 May\n\n{BODY[1]}"]) == (
        "Westmoor Borough Council Inspection of services for children in need of help and "
        "protection, children looked after and care leavers …"
    )


def test_shared_boilerplate_across_documents_but_not_shared_content():
    licence = "This report is published by the partnership under the terms of its publication scheme for reuse."
    content = "The mother told the reviewer that she had asked for help with housing several times."
    docs = [
        [
            licence,
            f"Unique finding number {i} about the case of child {chr(65 + i)} and the family.",
        ]
        for i in range(6)
    ]
    docs[0].append(content)
    docs[1].append(content)
    blocks = [[{"text": t, "keys": sentence_keys(t)} for t in doc] for doc in docs]
    strong, weak = shared_boilerplate([{k for b in doc for k, _ in b["keys"]} for doc in blocks])
    assert is_shared(blocks[0][0], strong, weak)  # in every document
    assert not is_shared(blocks[0][1], strong, weak)
    assert not is_shared(blocks[0][2], strong, weak)  # two reports sharing a paragraph keep it


def test_copies_finds_a_document_held_within_another_files():
    full = set(range(100))
    found = copies(
        [set(range(40)), full, set(range(35)) | {900 + i for i in range(10)}, full, set(range(15))],
        ["cut.pdf", "full.pdf", "mixed.pdf", "again.pdf", "short.txt"],
    )
    # the first of two equal copies is kept; the truncated one points at it; 35 of 45 (78%)
    # is no copy; under 20 sentences is never one
    assert found == {3: (1, 1.0), 0: (1, 1.0)}


def test_copies_leaves_documents_of_one_file_and_chains_end_at_a_kept_one():
    assert copies([set(range(30)), set(range(60))], ["table.csv", "table.csv"]) == {}
    found = copies([set(range(30)), set(range(60)), set(range(90))], ["a", "b", "c"])
    assert found == {1: (2, 1.0), 0: (2, 1.0)}  # never into a document that is itself set aside


def test_sentence_keys_ignore_digits_case_and_short_sentences():
    a = sentence_keys("© Crown copyright 2016. Published in May. Yes.")
    b = sentence_keys("© CROWN COPYRIGHT 2024. Published in May. Yes.")
    assert a == b and len(a) == 0  # three-word sentences carry no key
    assert sentence_keys("The board accepts every recommendation made.")[0][1] == 6
