"""The bundled fictional sample corpus: what the issue asks of it, and that it rebuilds identically."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from conftest import SAMPLE

from lip_research.codebook import load_codebook
from lip_research.sample import SECTION_ORDER, fill, load_bank, plan_reports
from lip_research.sample_render import label_tables, render_text

MANIFEST = pd.read_csv(SAMPLE / "manifest.csv")


def test_bank_is_large_distinct_and_labelled_with_codebook_ids():
    bank = load_bank(SAMPLE / "bank")
    assert len(bank) >= 400
    assert len({p.text for p in bank}) == len(bank)
    ids = {
        e.id for name in ("practice_issues", "scie_typology") for e in load_codebook(name).entries
    }
    markers = {e.id for e in load_codebook("quality_markers").entries}
    for p in bank:
        assert p.section in SECTION_ORDER, p.id
        assert set(p.themes) | set(p.typology) <= ids, p.id
        assert p.marker is None or p.marker in markers, p.id
    assert sum(p.why for p in bank) > 100 and sum(not p.why for p in bank) > 100


def test_reports_cover_years_models_harms_and_formats():
    assert len(MANIFEST) >= 40
    assert MANIFEST["year"].between(2010, 2024).all()
    assert MANIFEST["year"].nunique() >= 10
    assert set(MANIFEST["review_model"]) == {"chapter8", "scie", "silp", "wales_cpr", "lcspr"}
    assert MANIFEST["harm"].nunique() == 10
    assert MANIFEST["words"].between(1500, 4000).all()
    formats = MANIFEST["format"].value_counts()
    assert formats["pdf"] >= 5 and formats["docx"] >= 2 and formats["md"] >= 2
    for f in MANIFEST["file"]:
        assert (SAMPLE / "reports" / f).exists(), f


def test_every_report_is_marked_fictional_and_uses_no_placeholder():
    for f in MANIFEST.loc[MANIFEST["format"].isin(["txt", "md"]), "file"]:
        text = (SAMPLE / "reports" / f).read_text(encoding="utf-8")
        assert "FICTIONAL SAMPLE" in text
        assert not re.search(r"\{\w+\}", text), f


def test_labels_tables_have_the_documented_columns():
    paras = pd.read_csv(SAMPLE / "labels" / "paragraphs.csv")
    assert {
        "doc_id",
        "para_index",
        "section",
        "bank_id",
        "why",
        "marker",
        "char_start",
        "char_end",
        "text",
    } <= set(paras.columns)
    themes = pd.read_csv(SAMPLE / "labels" / "document_themes.csv")
    assert list(themes.columns) == ["doc_id", "theme_id"]
    assert set(paras["doc_id"]) == set(MANIFEST["doc_id"]) == set(themes["doc_id"])


def test_char_spans_point_at_the_paragraph_text():
    paras = pd.read_csv(SAMPLE / "labels" / "paragraphs.csv")
    row = MANIFEST[MANIFEST["format"] == "txt"].iloc[0]
    text = (SAMPLE / "reports" / row["file"]).read_text(encoding="utf-8")
    for p in paras[paras["doc_id"] == row["doc_id"]].itertuples():
        assert text[p.char_start : p.char_end] == p.text


def test_catalogue_has_one_short_entry_per_report():
    cat = pd.read_csv(SAMPLE / "catalogue.csv")
    assert list(cat.columns) == [
        "doc_id",
        "title",
        "year",
        "model",
        "summary",
        "learning",
        "recommendations",
        "keywords",
    ]
    assert set(cat["doc_id"]) == set(MANIFEST["doc_id"])
    words = cat["summary"].str.split().str.len()
    assert words.between(100, 250).all()


def test_composition_is_deterministic_and_matches_the_shipped_files():
    bank = load_bank(SAMPLE / "bank")
    reports = plan_reports(bank, n_reports=len(MANIFEST), seed=2016)
    assert [r.doc_id for r in reports] == MANIFEST["doc_id"].tolist()
    shipped = pd.read_csv(SAMPLE / "labels" / "paragraphs.csv")
    rebuilt = label_tables(reports)["paragraphs.csv"]
    assert rebuilt["text"].tolist() == shipped["text"].tolist()
    txt = next(r for r in reports if r.fmt == "txt")
    assert render_text(txt)[0] == (SAMPLE / "reports" / f"{txt.doc_id}.txt").read_text(
        encoding="utf-8"
    )


def test_word_reports_rebuild_byte_identical(tmp_path):
    from lip_research.sample_render import render_docx

    bank = load_bank(SAMPLE / "bank")
    report = next(
        r for r in plan_reports(bank, n_reports=len(MANIFEST), seed=2016) if r.fmt == "docx"
    )
    render_docx(report, tmp_path / "rebuilt.docx")
    shipped = SAMPLE / "reports" / f"{report.doc_id}.docx"
    assert (tmp_path / "rebuilt.docx").read_bytes() == shipped.read_bytes()


def test_corpus_yaml_points_at_existing_files():
    spec = yaml.safe_load((SAMPLE / "corpus.yaml").read_text())
    for key in ("manifest", "labels", "catalogue"):
        assert (SAMPLE / spec[key]).exists()


def test_unknown_placeholder_is_an_error():
    with pytest.raises(KeyError, match="unknown placeholder"):
        fill("{child} met {uncle}", {"child": "Child A"})


def test_lip_sample_builds_a_new_labelled_corpus_folder(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from lip_research.pipeline import corpus_spec

    shutil.copytree(SAMPLE / "bank", tmp_path / "bank")
    lip = Path(sys.executable).with_name("lip")
    proc = subprocess.run(
        [str(lip), "sample", "--out", str(tmp_path), "--reports", "10"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    spec = corpus_spec(tmp_path)  # read from the corpus.yaml `lip sample` wrote
    assert len(list(spec.sources[0].iterdir())) == 10
    assert spec.manifest.exists() and (spec.labels / "paragraphs.csv").exists()


def test_a_placeholder_that_starts_a_sentence_is_capitalised():
    names = {"mother": "the mother", "child": "Child A"}
    text = fill('{mother} agreed. "{mother} said no." Then {child} met {mother}.', names)
    assert text == 'The mother agreed. "The mother said no." Then Child A met the mother.'


def test_sample_prose_has_no_sentence_starting_in_lower_case():
    labels = pd.read_csv(SAMPLE / "labels" / "paragraphs.csv")
    starts = labels["text"].str.findall(r"(?:^|[.!?]\s+)(the (?:mother|sibling)\b)").explode()
    doubled = labels["text"].str.contains(
        r"\b(?:his|her|their) (?:younger )?the (?:sibling|mother)\b"
    )
    assert starts.dropna().empty and not doubled.any()
