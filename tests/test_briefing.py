"""Thematic briefings: definition, n/N prevalence and trend, linked themes, cited short quotes."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from lens_fixtures import mini_book, mini_documents, mini_passages

from lip_research import briefing


@pytest.fixture
def inputs():
    passages = mini_passages()
    passages.loc[0, "text"] = " ".join(["<b>word</b>"] * 60)  # long and needing escaping
    coded = pd.DataFrame(
        {
            "passage_id": ["d1-p0001", "d1-p0002", "d3-p0003", "d2-p0001"],
            "doc_id": ["d1", "d1", "d3", "d2"],
            "theme_id": ["bruising", "bruising", "bruising", "sharing"],
            "score": [0.9, 0.8, 0.6, 0.7],
        }
    )
    presence = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2", "d2", "d3", "d3"],
            "theme_id": ["bruising", "sharing"] * 3,
            "present": [True, False, False, True, True, False],
            "n_passages": [2, 0, 0, 1, 1, 0],
        }
    )
    return {
        "presence": presence,
        "coded": coded,
        "passages": passages,
        "documents": mini_documents(),
    }


def test_a_corpus_without_years_gets_no_year_table(inputs):
    """Not a table whose one row is 'unknown'."""
    book = mini_book()
    inputs["documents"] = inputs["documents"].assign(year=None)
    b = briefing.build_briefing(book.get("bruising"), book, corpus_name="c", **inputs)
    assert b.data["trend"].empty and b.data["first_year"] is None
    assert "| year |" not in b.markdown and "unknown" not in b.markdown


def test_briefing_content(inputs):
    book = mini_book()
    b = briefing.build_briefing(
        book.get("bruising"), book, corpus_name="test corpus", method="zero_shot", **inputs
    )
    d = b.data
    assert (d["n_present"], d["denominator"], d["percent"]) == (2, 3, 66.7)
    assert (d["first_year"], d["last_year"]) == (2015, 2020)
    assert d["passages"]["doc_id"].tolist() == ["d1", "d3"]  # one passage per report
    assert all(len(e.split()) <= 42 for e in d["passages"]["excerpt"])
    md = b.markdown
    for part in (
        "# Bruising in babies",
        "## What it is",
        "## How often",
        "Discussed in 2 of 3 reports",
        "| 2015 | 1 | 2 | 50.0 |",
        "By review model: scie 2/2; silp 0/1.",
        "> - d1, chronology, p. 1",
        "Sources: A source (2020).",
        "Method: zero_shot.",
        "calibrated on the sample corpus of case reviews",  # the circulated file says so too
    ):
        assert part in md, part
    html = b.html
    assert (
        html.startswith("<!DOCTYPE html>")
        and "&lt;b&gt;word&lt;/b&gt;" in html
        and "<b>word" not in html
    )
    assert "<svg" in html and "1/2" in html
    assert html.count(">no reports<") == 4  # 2016-2019 keep their place on the year axis
    assert "<cite>d3, family_involvement, p. 3</cite>" in html
    # shown inline in JupyterLab: no rule may reach outside the briefing's own block
    css = re.search(r"<style>(.*)</style>", html).group(1)
    selectors = re.findall(r"(?:^|})\s*([^{}@]+)\{", css)
    assert selectors and all(s.strip().startswith(".lip-briefing") for s in selectors), selectors
    assert "<div class='lip-briefing'>" in html
    assert "<h1>Bruising in babies</h1>" in html and "<h2>How often</h2>" in html
    inline = briefing.render_html(d, top=3)  # under a report's own h1 and h2
    assert "<h3>Bruising in babies</h3>" in inline and "<h4>How often</h4>" in inline
    assert "<h1" not in inline and "<h2" not in inline and ".lip-briefing h4{" in inline


def test_a_briefing_names_classes_by_the_names_the_corpus_gives(inputs):
    book = mini_book()
    documents = inputs["documents"].assign(
        review_model_name=inputs["documents"]["review_model"].map(
            {"scie": "Serious Case Review (SCIE Learning Together)", "silp": "SILP review"}
        )
    )
    b = briefing.build_briefing(book.get("bruising"), book, **{**inputs, "documents": documents})
    assert (
        "By review model: Serious Case Review (SCIE Learning Together) 2/2; SILP review 0/1."
        in b.markdown
    )
    unbroken = briefing.build_briefing(book.get("bruising"), book, **inputs, by=())
    assert "By review model" not in unbroken.markdown  # class_column '' in the notebooks


def test_word_briefing_has_the_same_content_and_is_byte_identical_on_rerun(inputs):
    import io

    from docx import Document

    book = mini_book()
    make = lambda: briefing.build_briefing(  # noqa: E731
        book.get("bruising"), book, corpus_name="test corpus", method="zero_shot", **inputs
    )
    b = make()
    doc = Document(io.BytesIO(b.docx))
    text = [p.text for p in doc.paragraphs]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == ["Bruising in babies", "What it is", "How often", "In the reports' words"]
    assert any(t.startswith("Discussed in 2 of 3 reports") for t in text)
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert len(quotes) == 2 and quotes[1].endswith("d3, family_involvement, p. 3")
    assert "<b>word</b>" in quotes[0]  # plain text in Word: nothing to escape
    trend = doc.tables[0]
    assert [c.text for c in trend.rows[0].cells] == ["year", "reports with theme", "reports", "%"]
    assert [c.text for c in trend.rows[1].cells] == ["2015", "1", "2", "50.0"]
    assert text[-1].startswith("Automatic coding") and text[-1].endswith("Method: zero_shot.")
    assert make().docx == b.docx
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4


def test_near_duplicate_passages_are_skipped(inputs):
    passages = inputs["passages"]
    passages.loc[passages["passage_id"] == "d3-p0003", "text"] = passages.loc[0, "text"]
    got = briefing.representative_passages(inputs["coded"], passages, "bruising", n=5)
    assert got["passage_id"].tolist() == ["d1-p0001"]


def test_linked_topics_and_empty_theme(inputs):
    topics = pd.DataFrame(
        {
            "passage_id": inputs["passages"]["passage_id"],
            "topic": [0, 0, 1, 1, 1, 2, 2, 2, -1],
            "label": [
                "bruises",
                "bruises",
                "moves",
                "school",
                "school",
                "family",
                "family",
                "family",
                "x",
            ],
        }
    )
    linked = briefing.linked_topics(inputs["coded"], topics, "bruising")
    assert linked["label"].tolist()[0] == "bruises"
    book = mini_book()
    empty = inputs | {
        "coded": inputs["coded"].iloc[:0],
        "presence": inputs["presence"].assign(present=False),
    }
    b = briefing.build_briefing(book.get("sharing"), book, **empty)
    assert "No passage was coded with this theme." in b.markdown
    assert "Discussed in 0 of 3 reports" in b.markdown


def test_linked_themes_are_named_by_label_and_topics_kept_apart(inputs):
    book = mini_book()
    inputs["presence"].loc[1, "present"] = True  # d1 also has 'sharing'
    ids = inputs["passages"]["passage_id"].tolist()  # the bruising passages: d1-p1, d1-p2, d3-p3
    topic = {"d1-p0001": 0, "d1-p0002": 1, "d3-p0003": 1}
    labels = {0: "bruise, skull, x-ray", 1: "fracture, delay, paediatrician", 2: "school, nurse"}
    topics = pd.DataFrame({"passage_id": ids, "topic": [topic.get(i, 2) for i in ids]})
    topics["label"] = topics["topic"].map(labels)
    b = briefing.build_briefing(
        book.get("bruising"), book, topics=topics, theme_labels={"sharing": "Sharing info"},
        **inputs,
    )  # fmt: skip
    assert "Most often in the same reports: Sharing info (1)." in b.markdown
    assert "sharing (1)" not in b.markdown
    linked = b.markdown.split("## Linked topics\n\n")[1].split("\n")[0]
    assert (
        linked == "fracture, delay, paediatrician (2 passages); bruise, skull, x-ray (1 passage)."
    )


def test_a_briefing_names_the_folder_the_user_gave_not_the_ingested_copy(tmp_path):
    from types import SimpleNamespace

    from lip_research.lens_run import corpus_title

    docs = pd.DataFrame({"doc_id": ["a", "b"]})
    ingested = SimpleNamespace(source=None, path=tmp_path / "reviews-cd1897a6", documents=docs)
    assert corpus_title(ingested) == "reviews corpus, 2 reports"
    named = SimpleNamespace(source=tmp_path / "my-reviews", path=None, documents=docs)
    assert corpus_title(named) == "my-reviews corpus, 2 reports"


def test_a_quality_marker_briefing_is_a_screen_not_a_verdict(inputs):
    from lip_research.codebook import load_codebook

    book = load_codebook("quality_markers")
    marker = book.entries[0]
    presence = inputs["presence"].replace({"bruising": marker.id})
    coded = inputs["coded"].replace({"bruising": marker.id})
    b = briefing.build_briefing(
        marker, book, **(inputs | {"presence": presence, "coded": coded}), corpus_name="c"
    )
    assert "Evidence found in 2 of 3 reports" in b.markdown
    assert "Screening aid, not a verdict" in b.markdown


def test_a_zero_shot_briefing_gives_its_calibration_figures(inputs):
    """The typology's passages are coded far less reliably than its reports: say so."""
    book = mini_book()
    b = briefing.build_briefing(
        book.get("bruising"),
        book,
        **inputs,
        method="zero_shot",
        calibration=(0.72, 0.17),
    )
    assert "F1 0.72 for which reports have it and 0.17 for which passages" in b.markdown
    assert "many quoted passages are not about the theme" in b.markdown


def test_the_caveat_says_how_many_coded_passages_make_a_report_count(inputs):
    book = mini_book()
    once = briefing.build_briefing(book.get("bruising"), book, **inputs)
    assert "A report counts when any of its passages is coded" in once.markdown
    twice = inputs | {"presence": inputs["presence"].assign(k=2)}
    b = briefing.build_briefing(book.get("bruising"), book, **twice)
    assert "A report counts when 2 or more of its passages are coded" in b.markdown


def test_calibration_figures_only_for_the_shipped_thresholds():
    from lip_research import themes

    shipped = themes.shipped_table()
    row = shipped[(shipped["theme_id"] == "neglect") & (shipped["backend"] == "minilm")]
    assert themes.calibration_f1("neglect", "minilm", row) is not None
    other = row.assign(threshold=row["threshold"] + 0.1)
    assert themes.calibration_f1("neglect", "minilm", other) is None
    assert themes.calibration_f1("not_an_entry", "minilm") is None
