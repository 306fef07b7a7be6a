"""The ingest stage end to end: every file accounted for, contract columns, caches, limits."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from lip_research import extract, io, lexical
from lip_research import ingest as ingest_module
from lip_research.config import IngestConfig
from lip_research.ingest import cache_root, ingest_paths, run_ingest, summary_line
from lip_research.pool import run_tasks

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
needs_shared = pytest.mark.skipif(
    not CORPORA.is_dir(), reason=f"the shared corpora are not at {CORPORA} (beside the checkout)"
)
README_REASONS = {  # bad-inputs/README.md: what a user should be told
    "inspection-report-2012-html-saved-as.pdf": ("failed", "not a PDF: the file is an HTML page"),
    "truncated-download.pdf": ("warning", "damaged or incomplete PDF"),
    "empty.pdf": ("failed", "empty file"),
    "password-protected.pdf": ("failed", "encrypted: a password is needed"),
    "scanned-no-text-layer.pdf": ("failed", "no text layer (scanned images): needs OCR"),
    "duplicate-of-2016-09-20-wakefield.pdf": ("duplicate", "duplicate of "),
    "notes-latin1.txt": ("ok", "text encoding detected: Windows-1252"),
    "not-really-a.docx": ("failed", "not a valid .docx"),
}


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LIP_CACHE_DIR", str(tmp_path / "cache"))


def words(n: int, topic: str) -> str:
    return " ".join(
        f"In week {i} the practitioners discussed {topic} with the family." for i in range(n)
    )


def report_text(topic: str) -> str:
    return (
        f"Serious Case Review: {topic.title()}\n\n1. Introduction\n\n{words(12, topic)}\n\n"
        f"2. Key practice episodes\n\n{words(25, topic + ' again')}\n\n3. Recommendations\n\n{words(10, 'records')}\n"
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    """One of each kind of file a user might bring, good and bad."""
    import docx

    root = tmp_path / "reports"
    (root / "sub" / ".git").mkdir(parents=True)
    (root / "sub" / ".git" / "config").write_text("[core]")
    (root / "child-a-2019.txt").write_text(report_text("neglect"), encoding="utf-8")
    (root / "sub" / "copy-of-child-a.txt").write_text(report_text("neglect"), encoding="utf-8")
    (root / "child-b.md").write_text(
        "# Review of Child B\n\n## Findings\n\n" + words(15, "housing")
    )
    (root / "notes-latin1.txt").write_bytes(
        ("Café meeting; maïtre. " + words(3, "school")).encode("cp1252")
    )
    (root / "page.html").write_text(
        f"<html><body><h1>Child C</h1><p>{words(12, 'police')}</p></body></html>"
    )
    document = docx.Document()
    document.add_heading("Analysis", level=1)
    document.add_paragraph(words(14, "health visiting"))
    document.save(str(root / "child-d.docx"))
    pd.DataFrame(
        {
            "case_id": ["R-1", "R-2", "R-3"],
            "area": ["Westmoor", "Elmsford", "Larkhaven"],
            "summary": [words(15, "bruising"), words(18, "exploitation"), ""],
        }
    ).to_csv(root / "summaries.csv", index=False)
    (root / "empty.txt").write_bytes(b"")
    (root / "old-report.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    return root


def test_every_file_is_accounted_for_with_its_reason(folder):
    corpus, extra = ingest_paths([folder], IngestConfig(workers=2), progress=False)
    ledger = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert sorted(ledger.index) == sorted(
        ["child-a-2019.txt", "copy-of-child-a.txt", "child-b.md", "notes-latin1.txt", "page.html",
         "child-d.docx", "summaries.csv", "empty.txt", "old-report.doc"]
    )  # fmt: skip
    assert list(corpus.ledger.columns[:7]) == io.LEDGER_COLUMNS
    assert ledger.loc["copy-of-child-a.txt", "status"] == "duplicate"
    assert ledger.loc["empty.txt", ["status", "reason"]].tolist() == [
        "failed",
        "empty file (0 bytes)",
    ]
    assert ledger.loc["old-report.doc", "reason"].startswith(
        "old Word .doc format is not supported"
    )
    assert ledger.loc["notes-latin1.txt", "status"] == "ok"
    assert ledger.loc["summaries.csv", "reason"] == (
        "2 rows read as documents; text column 'summary' auto-detected (longest mean text); "
        "1 row with empty text skipped"
    )
    assert extra["notes.csv"]["note"].tolist() == ["1 hidden folder not searched"]
    summary = summary_line(corpus, extra["notes.csv"]["note"].tolist())
    assert summary.startswith(
        "9 files: 6 ok, 2 failed (empty file; old Word .doc format is not supported), 1 duplicate kept once"
    )
    assert "text column 'summary' auto-detected in summaries.csv" in summary


def test_summary_counts_repeated_reasons_in_agreement(tmp_path):
    (tmp_path / "a.txt").write_text("A review of practice. " * 40)
    (tmp_path / "empty-1.txt").write_bytes(b"")
    (tmp_path / "empty-2.txt").write_bytes(b"")
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert summary_line(corpus).startswith(
        "3 files: 1 ok, 2 failed (empty file ×2) -> 1 document, 1 passage"
    )


def test_tables_follow_the_data_contract(folder):
    corpus, extra = ingest_paths([folder], IngestConfig(workers=2), progress=False)
    documents, passages = corpus.documents, corpus.passages
    assert list(documents.columns[:8]) == [*io.DOCUMENT_COLUMNS, "year", "format", "words"]
    assert list(passages.columns) == [*io.PASSAGE_COLUMNS, "heading", "n_words"]
    assert sorted(documents["doc_id"]) == [
        "child-a-2019",
        "child-b",
        "child-d",
        "notes-latin1",
        "page",
        "r-1",
        "r-2",
    ]
    assert (
        documents.set_index("doc_id").loc["r-1", "area"] == "Westmoor"
    )  # table columns become metadata
    assert documents.set_index("doc_id").loc["child-a-2019", "year"] == 2019
    assert passages["passage_id"].str.fullmatch(r"[a-z0-9-]+-p\d{4}").all()
    assert passages.groupby("doc_id")["passage_id"].first().str.endswith("-p0001").all()
    a = passages[passages["doc_id"] == "child-a-2019"]
    assert a["section"].tolist() == [
        "front_matter",
        "introduction",
        "chronology",
        "recommendations",
    ]
    latin = passages.loc[passages["doc_id"] == "notes-latin1", "text"].iloc[0]
    assert latin.startswith("Café meeting; maïtre.")
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    for row in passages.itertuples():
        assert texts[row.doc_id][row.char_start : row.char_end] == row.text
    assert set(extra["removed.csv"].columns) == {"doc_id", "page", "kind", "text"}
    # no page a reader could turn to: page 0, and citations leave the page out
    assert (a["page_start"] == 0).all() and (a["page_end"] == 0).all()
    assert lexical.citations(a.head(1)) == ["child-a-2019, front_matter"]


def test_form_feeds_in_text_are_pages_and_cited(tmp_path):
    (tmp_path / "paged.txt").write_text(
        report_text("neglect") + "\f" + words(30, "housing"), encoding="utf-8"
    )
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    pages = corpus.passages[["page_start", "page_end"]]
    assert pages["page_start"].min() == 1 and pages["page_end"].max() == 2
    assert lexical.citations(corpus.passages.tail(1))[0].endswith("p. 2")


def test_linked_folders_are_read_once_and_system_files_not_at_all(tmp_path):
    elsewhere, reports = tmp_path / "elsewhere", tmp_path / "reports"
    elsewhere.mkdir()
    reports.mkdir()
    (elsewhere / "child-e.txt").write_text(report_text("neglect"))
    (reports / "child-f.txt").write_text(report_text("housing"))
    (reports / "2012").symlink_to(elsewhere)
    (elsewhere / "loop").symlink_to(reports)  # links back up are not walked again
    (elsewhere / "loop-2").symlink_to(reports)
    for junk in ("~$child-f.docx", "Thumbs.db", ".DS_Store"):
        (reports / junk).write_bytes(b"\0\1junk")
    corpus = run_ingest([reports], tmp_path / "c", IngestConfig(workers=1), progress=False)
    assert [Path(p).relative_to(reports).as_posix() for p in corpus.ledger["path"]] == [
        "child-f.txt",
        "2012/child-e.txt",
    ]
    assert set(corpus.ledger["status"]) == {"ok"}
    assert pd.read_csv(tmp_path / "c" / "notes.csv")["note"].tolist() == [
        "3 hidden or system files not read: .DS_Store, Thumbs.db, ~$child-f.docx"
    ]


def test_a_broken_link_or_a_pipe_gets_a_ledger_row_and_the_rest_is_read(tmp_path):
    """Neither stops the batch (a pipe would hang it: it is never opened); a second path to
    a file already found is read once, and said so."""
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "child-f.txt").write_text(report_text("housing"))
    (reports / "broken.pdf").symlink_to(tmp_path / "gone.pdf")
    os.mkfifo(reports / "pipe.txt")
    (reports / "same.txt").symlink_to(reports / "child-f.txt")
    corpus, extra = ingest_paths([reports], IngestConfig(workers=1), progress=False)
    ledger = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert ledger["status"].to_dict() == {
        "broken.pdf": "failed", "child-f.txt": "ok", "pipe.txt": "failed",
    }  # fmt: skip
    assert ledger.loc["broken.pdf", "reason"] == (
        f"broken link: its target {tmp_path / 'gone.pdf'} does not exist"
    )
    assert ledger.loc["pipe.txt", "reason"].startswith("not a regular file (a pipe")
    assert extra["notes.csv"]["note"].tolist() == [
        f"1 second path to a file, read once: {reports / 'same.txt'} (the same file as "
        f"{reports / 'child-f.txt'})"
    ]


def test_an_ingest_cache_that_cannot_be_written_is_a_warning_not_failed_files(
    tmp_path, monkeypatch
):
    """A full or read-only cache disk: every file is still read, and none counts as failed."""
    (tmp_path / "in-the-way").write_text("a file where the cache folder should be")
    monkeypatch.setenv("LIP_CACHE_DIR", str(tmp_path / "in-the-way"))
    (tmp_path / "reports").mkdir()
    for theme in ("housing", "neglect"):
        (tmp_path / "reports" / f"child-{theme}.txt").write_text(report_text(theme))
    with pytest.warns(io.LipWarning, match="ingest cache .* could not be written"):
        corpus, _ = ingest_paths([tmp_path / "reports"], IngestConfig(workers=1), progress=False)
    assert corpus.ledger["status"].tolist() == ["ok", "ok"]


def test_accented_file_names_give_readable_document_ids(tmp_path):
    (tmp_path / "Révision Enfant Y – Harrowmère.TXT").write_text(report_text("neglect"))
    (tmp_path / "Adolygiad Plentyn Ŵ.txt").write_text(report_text("housing"))
    (tmp_path / "מקרה 2.txt").write_text(report_text("school"))
    (tmp_path / "He\u0301le\u0300ne.txt").write_text(report_text("police"))  # as macOS names it
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert sorted(corpus.documents["doc_id"]) == [
        "adolygiad-plentyn-w",
        "helene",
        "revision-enfant-y-harrowmere",
        "מקרה-2",
    ]


def test_a_report_that_loses_most_of_its_text_as_repeated_is_noted(tmp_path):
    shared = words(30, "the shared chronology")
    for area in ("elmsford", "stenbury", "larkhaven"):
        (tmp_path / f"{area}.txt").write_text(
            f"Review in {area.title()}.\n\n{shared}\n\n" + words(4, area)
        )
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert set(corpus.ledger["status"]) == {"ok"}
    assert all(
        r.endswith("of its text is repeated in other documents and was removed as boilerplate "
                   "(near-copies of one report? see removed.csv)")
        for r in corpus.ledger["reason"]
    )  # fmt: skip


def test_each_reports_own_figures_survive_a_template_they_share(tmp_path):
    """Inspections of one year share a template of statistics; each report's figures are its
    own data, not boilerplate, and a lead-in ('... free school meals:') stays with them."""
    template = "Every inspection follows the published framework for local authority services."
    for i, area in enumerate(("elmsford", "stenbury", "larkhaven", "rushcombe")):
        (tmp_path / f"{area}.txt").write_text(
            f"Review in {area.title()}.\n\n{words(8, area)}\n\n{template}\n\n"
            "• The proportion of children entitled to free school meals:\n\n"
            f"in primary schools is {10 + i}.5% (the national average is 15.6%).\n\n"
            + words(8, area + " later")
        )
    corpus, extra = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    removed = extra["removed.csv"]
    assert (
        removed.loc[removed["kind"] == "repeated across documents", "text"].tolist()
        == [template] * 4
    )
    for i, text in enumerate(corpus.documents.sort_values("doc_id")["text"]):
        assert f"free school meals:\n\nin primary schools is {10 + (0, 2, 3, 1)[i]}.5%" in text


def test_a_report_file_of_a_few_words_is_noted(tmp_path):
    (tmp_path / "child-m.html").write_text("<p>This site uses cookies.</p><p>Share this page</p>")
    (tmp_path / "child-n.txt").write_text(report_text("neglect"))
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    names = corpus.ledger["path"].map(lambda p: Path(p).name)
    reasons = dict(zip(names, corpus.ledger["reason"], strict=True))
    assert reasons == {
        "child-m.html": "only 7 words of text: check that the file holds the whole report",
        "child-n.txt": "",
    }


def test_manifest_columns_are_merged_and_unmatched_rows_reported(folder):
    manifest = pd.DataFrame(
        {
            "file": ["child-b.md", "missing.pdf"],
            "Year": [2017, 2020],  # the year, whatever its case, as the file column
            "review_type": ["LCSPR", "SCR"],
        }
    )
    corpus, extra = ingest_paths([folder], IngestConfig(workers=2), manifest, progress=False)
    b = corpus.documents.set_index("doc_id").loc["child-b"]
    assert (b["year"], b["review_type"]) == (2017, "LCSPR")
    assert "Year" not in corpus.documents
    notes = extra["notes.csv"]["note"].tolist()
    assert "1 manifest row matches no ingested file: missing.pdf" in notes
    unlisted = next(n for n in notes if "have no manifest row" in n)  # the files it omits
    assert "child-a-2019.txt" in unlisted and "child-b.md" not in unlisted


def test_of_two_identical_files_the_one_the_manifest_lists_is_kept(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "a-copy-of-the-review.txt").write_text(report_text("neglect"), encoding="utf-8")
    (root / "westmoor-review.txt").write_text(report_text("neglect"), encoding="utf-8")
    manifest = pd.DataFrame({"file": ["westmoor-review.txt"], "local_authority": ["Westmoor"]})
    corpus, extra = ingest_paths([root], IngestConfig(workers=1), manifest, progress=False)
    assert corpus.documents[["doc_id", "local_authority"]].values.tolist() == [
        ["westmoor-review", "Westmoor"]
    ]
    ledger = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert ledger.loc["a-copy-of-the-review.txt", "status"] == "duplicate"
    assert (
        "westmoor-review.txt (byte-identical)" in ledger.loc["a-copy-of-the-review.txt", "reason"]
    )
    assert not any("matches no ingested file" in n for n in extra["notes.csv"]["note"])
    # the same text saved again with one more line break: not byte-identical, a copy all the same
    people = "health visitor, school nurse, midwife, GP, police officer, social worker".split(", ")
    places = "home, clinic, school, nursery, hospital".split(", ")
    text = "\n\n".join(
        f"The {who} saw the child at the {where} and recorded it."
        for who in people
        for where in places
    )
    (root / "westmoor-review.txt").write_text(text, encoding="utf-8")
    (root / "a-copy-of-the-review.txt").write_text(text + "\n", encoding="utf-8")
    corpus, _ = ingest_paths([root], IngestConfig(workers=1), manifest, progress=False)
    assert corpus.documents[["doc_id", "local_authority"]].values.tolist() == [
        ["westmoor-review", "Westmoor"]
    ]
    ledger = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert ledger.loc["a-copy-of-the-review.txt", "reason"].startswith("a copy of ")


def test_manifest_rows_match_by_folder_windows_path_and_trimmed_name(tmp_path):
    for area in ("elmsford", "stenbury", "larkhaven", "2019"):
        (tmp_path / area).mkdir()
    for area in ("elmsford", "stenbury", "larkhaven"):
        (tmp_path / area / "report.md").write_text(f"# {area}\n\n" + words(15, area))
    (tmp_path / "2019" / "westmoor-s.txt").write_text(words(15, "westmoor"))
    (tmp_path / "tallowfield-m.txt").write_text(words(15, "tallowfield"))
    (tmp_path / "He\u0301le\u0300ne.txt").write_text(words(15, "helene"))  # as macOS names it
    manifest = pd.DataFrame(
        {
            "file": ["stenbury/report.md", r"C:\Users\me\reviews\elmsford\report.md",
                     "2020/report.md", r"reviews\2019\westmoor-s.txt", " tallowfield-m.txt ",
                     "tallowfield-m.txt", "Hélène.txt"],
            "area": ["Stenbury", "Elmsford", "Wrong", "Westmoor", "Tallowfield", "Tallowfield 2",
                     "Hélène"],
        }
    )  # fmt: skip
    corpus, extra = ingest_paths([tmp_path], IngestConfig(workers=1), manifest, progress=False)
    areas = dict(zip(corpus.documents["path"], corpus.documents["area"].fillna(""), strict=True))
    assert areas == {
        str(tmp_path / "He\u0301le\u0300ne.txt"): "Hélène",
        str(tmp_path / "2019" / "westmoor-s.txt"): "Westmoor",
        str(tmp_path / "elmsford" / "report.md"): "Elmsford",
        str(tmp_path / "larkhaven" / "report.md"): "",  # 2020/report.md is another file
        str(tmp_path / "stenbury" / "report.md"): "Stenbury",
        str(tmp_path / "tallowfield-m.txt"): "Tallowfield",
    }
    assert extra["notes.csv"]["note"].tolist() == [
        "1 manifest row matches no ingested file: 2020/report.md",
        "2 manifest rows name tallowfield-m.txt (row 6, row 7): the first was used; remove the "
        "others",
        "report.md has no manifest row: it is a document with no metadata (move a file that is "
        "not a report, such as a README, out of the folder)",
    ]
    # a manifest written on another computer, its folders naming none of these: names match
    other = pd.DataFrame({"file": [r"C:\cases\2021\tallowfield-m.txt"], "area": ["Tallowfield"]})
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), other, progress=False)
    assert corpus.documents.set_index("doc_id")["area"].dropna().to_dict() == {
        "tallowfield-m": "Tallowfield"
    }


def test_a_folder_manifest_is_merged_and_lip_outputs_are_not_documents(folder, tmp_path):
    # a researcher's own folder: manifest.csv beside the reports (semicolons, Windows-1252,
    # one year that is not a year), and an earlier ingested corpus inside it
    (folder / "manifest.csv").write_bytes(
        "file;year;area\nchild-b.md;2017;Westmoor\nchild-d.docx;twenty ten;Elmsford\n".encode(
            "cp1252"
        )
    )
    run_ingest([folder], folder / "interim" / "first", IngestConfig(workers=2), progress=False)
    corpus = run_ingest([folder], tmp_path / "second", IngestConfig(workers=2), progress=False)
    paths = corpus.ledger["path"].map(lambda p: Path(p).name).tolist()
    assert "manifest.csv" not in paths and "documents.parquet" not in paths
    assert len(corpus.ledger) == 9  # the same 9 files as without the manifest and the corpus
    docs = corpus.documents.set_index("doc_id")
    assert (docs.loc["child-b", "year"], docs.loc["child-b", "area"]) == (2017, "Westmoor")
    assert docs.loc["child-d", "area"] == "Elmsford" and pd.isna(docs.loc["child-d", "year"])
    notes = io.read_json(tmp_path / "second" / "ingest.json")["notes"]
    assert any("metadata from" in n and "manifest.csv" in n for n in notes)
    assert any("not ingested again" in n and "first" in n for n in notes)
    assert any("child-d.docx: 'twenty ten'" in n for n in notes)


def test_manifests_in_sub_folders_name_files_there_and_manifest_option_says_what_it_replaced(
    tmp_path,
):
    for folder, area in (("2019", "Elmsford"), ("2020", "Stenbury")):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "report.txt").write_text(report_text(area))
        (tmp_path / "in" / folder / "manifest.csv").write_text(f"file,area\nreport.txt,{area}\n")
    corpus = run_ingest([tmp_path / "in"], tmp_path / "c1", IngestConfig(), progress=False)
    assert list(corpus.ledger["path"].map(lambda p: Path(p).parent.name)) == ["2019", "2020"]
    assert dict(zip(corpus.documents["path"], corpus.documents["area"], strict=True)) == {
        str(tmp_path / "in" / "2019" / "report.txt"): "Elmsford",
        str(tmp_path / "in" / "2020" / "report.txt"): "Stenbury",
    }
    (tmp_path / "in" / "2019" / "manifest.csv").rename(tmp_path / "in" / "2019" / "Manifest.csv")
    pd.DataFrame({"file": ["report.txt"], "area": ["Stenbury"]}).to_excel(
        tmp_path / "in" / "2020" / "manifest.xlsx", index=False
    )
    (tmp_path / "in" / "2020" / "manifest.csv").unlink()
    corpus = run_ingest([tmp_path / "in"], tmp_path / "c0", IngestConfig(), progress=False)
    assert corpus.documents["area"].tolist() == ["Elmsford", "Stenbury"]  # as before
    (tmp_path / "in" / "2020" / "manifest.xlsx").unlink()  # one manifest, in a sub-folder
    (tmp_path / "in" / "2019" / "Manifest.csv").rename(tmp_path / "in" / "2019" / "manifest.csv")
    corpus = run_ingest([tmp_path / "in"], tmp_path / "c3", IngestConfig(), progress=False)
    assert corpus.documents["area"].fillna("").tolist() == ["Elmsford", ""]
    notes = pd.read_csv(tmp_path / "c3" / "notes.csv")["note"].tolist()
    assert notes[0] == f"metadata from {tmp_path / 'in' / '2019' / 'manifest.csv'}"
    assert notes[1].startswith("report.txt has no manifest row")
    (tmp_path / "other.csv").write_text("file,area\nreport.txt,Larkhaven\n")
    run_ingest(
        [tmp_path / "in"], tmp_path / "c2", IngestConfig(), tmp_path / "other.csv", progress=False
    )
    notes = pd.read_csv(tmp_path / "c2" / "notes.csv")["note"]
    assert notes[0] == f"metadata from {tmp_path / 'other.csv'}"
    note = notes[1]
    assert note.startswith(f"{tmp_path / 'in' / '2019' / 'manifest.csv'} not read")
    assert note.endswith(f"not read: --manifest {tmp_path / 'other.csv'} was given (give one "
                         "manifest holding all the rows)")  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"file,year\n", "has a header but no rows")],
)
def test_an_unreadable_manifest_is_a_clear_error(tmp_path, content, message):
    (tmp_path / "m.csv").write_bytes(content)
    with pytest.raises(io.CorpusError, match=message):
        run_ingest([tmp_path], tmp_path / "c", IngestConfig(), tmp_path / "m.csv", progress=False)


def test_a_folder_with_no_files_says_so_and_writes_nothing(tmp_path):
    (tmp_path / "reports" / ".hidden").mkdir(parents=True)
    with pytest.raises(
        io.CorpusError, match=r"no files to read in .*reports \(1 hidden folder not searched\)"
    ):
        run_ingest([tmp_path / "reports"], tmp_path / "c", IngestConfig(), progress=False)
    assert not (tmp_path / "c").exists()


def test_every_sheet_of_a_workbook_is_read(tmp_path):
    with pd.ExcelWriter(tmp_path / "catalogue.xlsx") as writer:
        pd.DataFrame({"title": ["Child P"], "summary": [words(18, "neglect")]}).to_excel(
            writer, sheet_name="2019", index=False
        )
        pd.DataFrame({"title": ["Baby Q"], "summary": [words(16, "sleep")]}).to_excel(
            writer, sheet_name="2020", index=False
        )
        pd.DataFrame({"code": ["N"], "description": [words(12, "a lookup of codes")]}).to_excel(
            writer, sheet_name="Codes", index=False
        )
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    docs = corpus.documents.set_index("doc_id")
    # the sheets that share the first one's columns are one table; the lookup is no document
    assert docs["sheet"].to_dict() == {"child-p": "2019", "baby-q": "2020"}
    assert "code" not in docs.columns
    assert corpus.ledger["reason"][0].endswith("sheets with other columns not read: 'Codes'")


@pytest.mark.parametrize("named", [None, "summary"])
def test_a_read_me_sheet_before_the_data_is_not_the_table(tmp_path, named):
    with pd.ExcelWriter(tmp_path / "summaries.xlsx") as writer:
        pd.DataFrame({"About this workbook": [words(4, "the read me"), "Key: model."]}).to_excel(
            writer, sheet_name="Read me", index=False
        )
        sources = {"source": [f"Partnership {i} website" for i in range(40)]}
        pd.DataFrame(
            sources | {"url": [f"https://example.org/review/{i}" for i in range(40)]}
        ).to_excel(
            writer, sheet_name="Sources", index=False
        )  # more cells of text than the data, but no running text
        pd.DataFrame(
            {"title": [f"Child {c}" for c in "PQR"], "summary": [words(18, t) for t in "abc"]}
        ).to_excel(writer, sheet_name="Data", index=False)
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1, text_column=named), progress=False)
    assert sorted(corpus.documents["doc_id"]) == ["child-p", "child-q", "child-r"]
    assert corpus.ledger["reason"][0].startswith("3 rows read as documents; text column 'summary'")
    assert corpus.ledger["reason"][0].endswith(
        "sheets with other columns not read: 'Read me', 'Sources'"
    )


def test_reingest_is_identical_and_reads_the_caches(folder, tmp_path, monkeypatch):
    cfg = IngestConfig(workers=2)
    first = run_ingest([folder], tmp_path / "corpus", cfg, progress=False)
    second = run_ingest([folder], tmp_path / "corpus", cfg, progress=False)
    pd.testing.assert_frame_equal(first.passages, second.passages)
    pd.testing.assert_frame_equal(first.documents, second.documents)
    assert not first.ledger["cached"].any() and second.ledger["cached"].all()
    # without the batch cache, every readable file still comes from the per-file cache
    shutil.rmtree(cache_root() / "batches")

    def no_reading(func, tasks, workers, timeout_s):
        assert tasks == [], f"files read again: {[t['path'] for t in tasks]}"
        return iter(())

    monkeypatch.setattr(ingest_module, "run_tasks", no_reading)
    third, _ = ingest_paths([folder], cfg, progress=False)
    pd.testing.assert_frame_equal(first.passages, third.passages)
    written = io.read_corpus(tmp_path / "corpus")
    assert (tmp_path / "corpus" / "removed.csv").exists() and (
        tmp_path / "corpus" / "ingest.json"
    ).exists()
    pd.testing.assert_frame_equal(written.passages, first.passages)


def test_provenance_names_the_installed_versions(folder, tmp_path):
    import docx  # noqa: F401  (python-docx)
    import pyarrow

    run_ingest([folder], tmp_path / "corpus", IngestConfig(), progress=False)
    packages = io.read_json(tmp_path / "corpus" / "ingest.json")["packages"]
    assert packages["pandas"] == pd.__version__ and packages["pyarrow"] == pyarrow.__version__
    assert packages["python-docx"][0].isdigit()
    assert io.package_versions(["no-such-package"])["no-such-package"] == "not installed"


def slow_text_reader(path: Path):
    if "hang" in path.name:
        time.sleep(60)
    return extract.read_text(path, markdown=False)


def test_a_file_that_hangs_is_stopped_and_reported(folder, monkeypatch):
    (folder / "hang.txt").write_text(words(12, "delay"))
    monkeypatch.setitem(ingest_module.READERS, "text", slow_text_reader)  # workers are forked
    start = time.perf_counter()
    corpus, _ = ingest_paths([folder], IngestConfig(workers=2, timeout_s=1), progress=False)
    assert time.perf_counter() - start < 20
    ledger = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert ledger.loc["hang.txt", "reason"].startswith("timed out after 1 s")
    assert ledger.loc["child-a-2019.txt", "status"] == "ok"


def oversized(folder: Path) -> None:
    (folder / "huge.txt").write_bytes(b"x " * 600_000)


def test_size_limit(folder):
    oversized(folder)
    corpus, _ = ingest_paths([folder], IngestConfig(workers=2, max_megabytes=1), progress=False)
    reason = corpus.ledger.loc[corpus.ledger["path"].str.endswith("huge.txt"), "reason"].item()
    assert reason == "too large: 1.20 MB is over the 1 MB limit (raise it with --max-megabytes)"


def pool_task(kind: str) -> str:
    if kind == "sleep":
        time.sleep(30)
    if kind == "crash":
        os._exit(3)
    if kind == "boom":
        raise ValueError("bad value")
    return kind.upper()


def test_pool_reports_each_outcome_and_keeps_going():
    tasks = ["a", "sleep", "crash", "boom", "b"]
    start = time.perf_counter()
    outcomes = dict(run_tasks(pool_task, tasks, workers=2, timeout_s=1.0))
    assert time.perf_counter() - start < 10
    assert outcomes == {
        0: ("ok", "A"),
        1: ("timeout", None),
        2: ("crashed", 3),
        3: ("error", "ValueError: bad value"),
        4: ("ok", "B"),
    }


def test_cli_exit_codes_and_help(folder, tmp_path):
    from typer.testing import CliRunner

    from lip_research.cli import app

    runner = CliRunner()
    done = runner.invoke(
        app, ["ingest", str(folder), "--corpus", str(tmp_path / "c"), "--no-progress"]
    )
    assert done.exit_code == 0, done.output
    assert "9 files: 6 ok" in done.stdout
    assert io.is_ingested(tmp_path / "c")
    missing = runner.invoke(
        app, ["ingest", str(tmp_path / "nowhere"), "--corpus", str(tmp_path / "d")]
    )
    assert missing.exit_code != 0 and not (tmp_path / "d").exists()
    helped = runner.invoke(app, ["ingest", "--help"])
    assert "--manifest" in helped.stdout and "--text-column" in helped.stdout


def test_ingest_overwrites_nothing_of_the_users_and_refreshes_a_corpus_in_place(folder, tmp_path):
    from typer.testing import CliRunner

    from lip_research.cli import app

    def ingest(target):
        return CliRunner().invoke(
            app, ["ingest", str(folder), "--corpus", str(target), "--no-progress"]
        )

    notes = tmp_path / "mine"
    notes.mkdir()
    (notes / "notes.csv").write_text("my notes\n")
    done = ingest(notes)
    assert done.exit_code == 2 and "would overwrite its notes.csv" in done.output
    assert (notes / "notes.csv").read_text() == "my notes\n"
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text("{}")
    done = ingest(run)
    assert done.exit_code == 2 and "is a run folder" in done.output
    assert sorted(p.name for p in run.iterdir()) == ["run.json"]
    done = ingest(folder)
    assert done.exit_code == 2 and "is, or holds, a folder being ingested" in done.output
    done = ingest(folder.parent)  # a corpus around its own reports would hide them later
    assert done.exit_code == 2 and "is, or holds, a folder being ingested" in done.output
    # a folder of other things, and a corpus ingested before, take the corpus
    (tmp_path / "shared" / "draft.md").parent.mkdir()
    (tmp_path / "shared" / "draft.md").write_text("draft")
    assert ingest(tmp_path / "shared").exit_code == 0
    assert ingest(tmp_path / "shared").exit_code == 0
    assert (tmp_path / "shared" / "draft.md").read_text() == "draft"
    # a corpus of other reports is replaced, and ingest says so
    other = tmp_path / "other"
    other.mkdir()
    (other / "review.txt").write_text("The review found that agencies did not share.")
    with pytest.warns(UserWarning, match="held a corpus ingested from .*; it is replaced"):
        CliRunner().invoke(app, ["ingest", str(other), "--corpus", str(tmp_path / "shared")])


def test_a_partial_copy_of_a_report_is_kept_out_once(tmp_path):
    reports = Path(__file__).resolve().parents[1] / "data" / "sample" / "reports"
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("2010-elmsford-baby-s.txt", "2012-elmsford-child-n.txt"):
        shutil.copy(reports / name, folder / name)
    text = (reports / "2010-elmsford-baby-s.txt").read_text(encoding="utf-8")
    (folder / "elmsford-first-part.md").write_text(text[: len(text) * 3 // 5], encoding="utf-8")
    manifest = pd.DataFrame({"file": sorted(p.name for p in folder.iterdir()), "year": 2010})
    corpus, extra = ingest_paths([folder], IngestConfig(), manifest, progress=False)
    assert extra["notes.csv"].empty  # the copy's row is no row that "matches no ingested file"
    row = corpus.ledger.set_index(corpus.ledger["path"].map(lambda p: Path(p).name))
    assert row.loc["elmsford-first-part.md", "status"] == "duplicate"
    reason = row.loc["elmsford-first-part.md", "reason"]
    assert reason.startswith(f"a copy of {folder / '2010-elmsford-baby-s.txt'} (")
    assert reason.endswith("% of its sentences are there), kept once")  # its cut last one is not
    assert sorted(corpus.documents["doc_id"]) == ["2010-elmsford-baby-s", "2012-elmsford-child-n"]
    alone, _ = ingest_paths(
        [folder / "2010-elmsford-baby-s.txt", folder / "2012-elmsford-child-n.txt"],
        IngestConfig(),
        manifest,
        progress=False,
    )
    pd.testing.assert_frame_equal(corpus.passages, alone.passages)  # the rest as without it


# -- the real shared corpora ---------------------------------------------------------------
OFSTED_SLICE = [
    "ofsted-2016-09-20-wakefield.pdf",  # the bad inputs hold a copy of it
    "ofsted-2019-05-08-south-gloucestershire.pdf",
    "ofsted-2024-09-04-enfield.pdf",
    "ofsted-2025-03-11-sunderland.pdf",
]


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    if not CORPORA.is_dir():
        pytest.skip(f"the shared corpora are not at {CORPORA} (beside the checkout)")
    pdfs = [CORPORA / "ofsted-ilacs" / "pdf" / name for name in OFSTED_SLICE]
    manifest = pd.read_csv(CORPORA / "ofsted-ilacs" / "manifest.csv")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIP_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        corpus, _ = ingest_paths(
            [*pdfs, CORPORA / "bad-inputs" / "files"], IngestConfig(), manifest, progress=False
        )
    return corpus


@pytest.mark.shared
@needs_shared
@pytest.mark.parametrize("name", sorted(README_REASONS))
def test_bad_input_gets_the_reason_its_readme_asks_for(real_batch, name):
    ledger = real_batch.ledger.set_index(real_batch.ledger["path"].map(lambda p: Path(p).name))
    status, reason = README_REASONS[name]
    assert ledger.loc[name, "status"] == status
    assert ledger.loc[name, "reason"].startswith(reason)
    if name == "duplicate-of-2016-09-20-wakefield.pdf":
        assert "ofsted-2016-09-20-wakefield.pdf" in ledger.loc[name, "reason"]
    if name == "truncated-download.pdf":
        assert "text recovered from 3 of 45 pages" in ledger.loc[name, "reason"]


@pytest.mark.shared
@needs_shared
def test_a_truncated_download_beside_its_full_report_is_kept_out(tmp_path):
    full = CORPORA / "ofsted-ilacs" / "pdf" / "ofsted-2016-08-05-stockton-on-tees.pdf"
    cut = CORPORA / "bad-inputs" / "files" / "truncated-download.pdf"
    corpus, _ = ingest_paths([full, cut], IngestConfig(), progress=False)
    status, reason = corpus.ledger.set_index("path").loc[str(cut), ["status", "reason"]]
    assert status == "duplicate"
    assert reason.startswith("damaged or incomplete PDF")
    assert "text recovered from 3 of 45 pages" in reason
    assert reason.endswith(f"its text is all in {full}, which is kept instead")
    assert list(corpus.documents["path"]) == [str(full)]
    assert "2 files: 1 ok, 1 duplicate kept once" in summary_line(corpus)


@pytest.mark.shared
@needs_shared
def test_real_reports_are_clean(real_batch):
    import pypdfium2 as pdfium

    documents, passages = real_batch.documents.set_index("doc_id"), real_batch.passages
    assert Counter(real_batch.ledger["status"]) == {
        "ok": 5,
        "failed": 5,
        "warning": 1,
        "duplicate": 1,
    }
    assert documents.loc["ofsted-2024-09-04-enfield", "year"] == 2024
    assert (
        documents.loc["ofsted-2024-09-04-enfield", "overall_grade"] == "good"
    )  # from the manifest
    assert documents.loc["ofsted-2024-09-04-enfield", "title"] == (
        "Inspection of Enfield local authority children's services"  # the running header
    )
    assert documents.loc["ofsted-2025-03-11-sunderland", "title"] == (
        "Inspection of Sunderland City Council local authority children's services"
    )
    assert not documents["title"].str.contains("inspector", case=False).any()
    for name in OFSTED_SLICE:
        doc_id = name.removesuffix(".pdf")
        pdf = pdfium.PdfDocument(CORPORA / "ofsted-ilacs" / "pdf" / name)
        counts: Counter[str] = Counter()
        for page in pdf:
            text = page.get_textpage().get_text_bounded().replace("’", "'")
            counts.update({line.strip() for line in text.splitlines() if len(line.strip()) >= 4})
        running = [line for line, n in counts.items() if n > len(pdf) / 2]
        mine = passages[passages["doc_id"] == doc_id]
        texts, title_page = mine["text"], mine["page_start"] == 1
        assert len(texts) > 5
        for line in running:  # a running line may stay as a field's value on the title page
            outside_fields = texts.where(
                ~title_page, texts.str.replace(f": {line}", ":", regex=False)
            )
            assert not outside_fields.str.contains(line, regex=False).any(), f"{doc_id}: {line!r}"
    dates = passages.loc[passages["doc_id"] == "ofsted-2024-09-04-enfield", "text"].iloc[0]
    assert dates.startswith("Inspection dates: 22 to 26 July 2024 Lead inspector:")
    for boilerplate in (
        "Open Government Licence",
        "enquiries@ofsted.gov.uk",
        "Crown copyright",
        "Piccadilly Gate",
    ):
        assert not passages["text"].str.contains(boilerplate, regex=False).any(), boilerplate


@pytest.mark.shared
@pytest.mark.slow
@needs_shared
def test_full_shared_run_accounts_for_all_94_files(tmp_path):
    corpus = run_ingest(
        [CORPORA / "ofsted-ilacs" / "pdf", CORPORA / "bad-inputs" / "files"],
        tmp_path / "corpus",
        IngestConfig(),
        CORPORA / "ofsted-ilacs" / "manifest.csv",
        progress=False,
    )
    statuses = Counter(corpus.ledger["status"])
    assert len(corpus.ledger) == 94
    # the truncated download is of a report in the folder: kept out as its copy
    assert statuses == {"ok": 87, "failed": 5, "duplicate": 2}
    ofsted = corpus.ledger[corpus.ledger["path"].str.contains("ofsted-ilacs")]
    assert (ofsted["status"] == "ok").all() and len(ofsted) == 86


def test_a_table_whose_ids_repeat_says_how_they_were_numbered(tmp_path):
    pd.DataFrame(
        {"case_id": ["C001", "C002", "C002", "C-7"], "summary": [words(15, t) for t in "abcd"]}
    ).to_csv(tmp_path / "t.csv", index=False)
    corpus, extra = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert corpus.documents["doc_id"].tolist() == ["c001", "c002", "c002-2", "c-7"]
    assert extra["notes.csv"]["note"].tolist() == [
        "ids that are not unique were numbered: t.csv row 3 ('C002') is c002-2 (give each row "
        "its own id to join results back to your table)"
    ]


def test_a_json_lines_file_with_a_line_cut_short_keeps_the_other_rows(tmp_path):
    import json

    topics = ("neglect", "housing", "school")
    lines = [json.dumps({"id": f"R{i}", "summary": words(15, t)}) for i, t in enumerate(topics)]
    lines.insert(2, lines[1][:40])  # a line cut short
    (tmp_path / "s.jsonl").write_text("\n".join(lines) + "\n\n")
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert corpus.documents["doc_id"].tolist() == ["r0", "r1", "r2"]
    assert corpus.ledger["reason"][0].endswith(
        "1 line not read (not a JSON object; cut short?): line 3"
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_tables_of_summaries_in_every_format(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "title": ["Child P", "Baby Q"],
            "year": [2019, 2021],
            "summary": [words(18, "neglect"), words(16, "sleep")],
        }
    )
    path = tmp_path / f"catalogue{suffix}"
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".xlsx": lambda: frame.to_excel(path, index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
        ".parquet": lambda: frame.to_parquet(path),
    }[suffix]()
    corpus, _ = ingest_paths([path], IngestConfig(workers=1), progress=False)
    documents = corpus.documents.set_index("doc_id")
    assert list(documents.index) == ["child-p", "baby-q"]
    assert (
        documents.loc["baby-q", "year"] == 2021 and documents.loc["child-p", "title"] == "Child P"
    )
    assert corpus.passages.groupby("doc_id").size().to_dict() == {"baby-q": 1, "child-p": 1}


def test_a_semicolon_table_of_summaries(tmp_path):
    # Excel saves CSV with semicolons in many locales
    frame = pd.DataFrame({"title": ["Child P"], "summary": [words(18, "neglect; and housing")]})
    frame.to_csv(tmp_path / "catalogue.csv", sep=";", index=False)
    corpus, _ = ingest_paths([tmp_path], IngestConfig(workers=1), progress=False)
    assert corpus.documents["doc_id"].tolist() == ["child-p"]
    assert "neglect; and housing" in corpus.passages["text"].iloc[0]


def test_a_named_text_column_that_is_missing(tmp_path):
    pd.DataFrame({"summary": [words(12, "housing")]}).to_csv(tmp_path / "t.csv", index=False)
    corpus, _ = ingest_paths([tmp_path], IngestConfig(text_column="abstract"), progress=False)
    assert corpus.ledger["reason"].item() == "no column named 'abstract'; the columns are: summary"


def test_a_numeric_text_column_is_named_as_such(tmp_path):
    pd.DataFrame({"year": [2019], "summary": [words(12, "housing")]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    corpus, _ = ingest_paths([tmp_path], IngestConfig(text_column="year"), progress=False)
    assert (
        corpus.ledger["reason"].item().startswith("the column 'year' holds numbers (such as 2019)")
    )


def test_a_text_column_of_ids_is_noted(tmp_path):
    pd.DataFrame(
        {"Case ID": ["C000", "C001", "C002"], "summary": [words(12, "housing")] * 3}
    ).to_csv(tmp_path / "t.csv", index=False)
    corpus, _ = ingest_paths([tmp_path], IngestConfig(text_column="Case ID"), progress=False)
    assert (
        corpus.ledger["reason"]
        .item()
        .endswith(
            "half the rows hold 1 word of text or fewer: check that 'Case ID' is the column with the "
            "summaries (--text-column names it)"
        )
    )


def test_cli_ingest_of_nothing_fails_with_the_reason(tmp_path):
    from typer.testing import CliRunner

    from lip_research.cli import app

    (tmp_path / "empty").mkdir()
    done = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "empty"), "--corpus", str(tmp_path / "c"), "--no-progress"]
    )
    assert done.exit_code == 2 and "no files to read in" in done.output
    assert not (tmp_path / "c").exists()  # nothing written for nothing read
    (tmp_path / "afile").write_text("x")
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "review.txt").write_text("The review found that agencies did not share.")
    done = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "one"), "--corpus", str(tmp_path / "afile")]
    )
    assert done.exit_code == 2 and "a file is in the way" in done.output
    assert "Traceback" not in done.output


def test_report_folders_with_the_same_name_get_their_own_corpus(tmp_path):
    from lip_research.pipeline import load_corpus

    for parent, topic in (("a", "neglect"), ("b", "exploitation")):
        (tmp_path / parent / "reports").mkdir(parents=True)
        (tmp_path / parent / "reports" / "r.txt").write_text(report_text(topic))
    interim = tmp_path / "interim"
    a = load_corpus(tmp_path / "a" / "reports", interim=interim, progress=False)
    b = load_corpus(tmp_path / "b" / "reports", interim=interim, progress=False)
    assert a.path != b.path
    assert "neglect" in " ".join(io.read_corpus(a.path).passages["text"])  # not overwritten by b
    assert "exploitation" in " ".join(b.passages["text"])


def test_a_worker_ends_on_sigterm_though_lip_turns_it_into_an_error():
    import signal

    from lip_research import pool

    before = signal.getsignal(signal.SIGTERM)
    io.stop_on_sigterm()  # as the lip command does, before its workers are forked
    try:
        worker = pool._Worker(pool._context(), len)
        worker.give(0, "abc", timeout_s=10)
        assert worker.conn.recv() == (0, ("ok", 3))  # serving
        os.kill(worker.proc.pid, signal.SIGTERM)
        worker.proc.join(timeout=10)
        assert worker.proc.exitcode == -signal.SIGTERM  # ended by the signal, no traceback
        worker.conn.close()
    finally:
        signal.signal(signal.SIGTERM, before)
