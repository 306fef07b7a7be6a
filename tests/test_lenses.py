"""The lens commands end to end: each writes its tables, figures and run.json into a run folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from lens_fixtures import fake_embed, mini_documents, mini_passages
from typer.testing import CliRunner

from lip_research import io
from lip_research.commands import lenses as cmd


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "lip_research.embed.embed_texts", lambda texts, **kw: fake_embed(list(texts))
    )
    folder = tmp_path / "corpus"
    ledger = pd.DataFrame(columns=io.LEDGER_COLUMNS)
    io.write_corpus(io.Corpus(mini_documents(), mini_passages(), ledger), folder)
    return folder


def latest(out: Path) -> Path:
    return (out / "latest").resolve()


def test_themes_writes_the_documented_tables(corpus, tmp_path):
    cmd.themes(corpus=corpus, out=tmp_path / "runs", briefing=["information_sharing"])
    run = latest(tmp_path / "runs")
    passages = pd.read_parquet(run / "theme_passages.parquet")
    assert list(passages.columns[:4]) == ["passage_id", "doc_id", "theme_id", "score"]
    documents = pd.read_csv(run / "theme_documents.csv")
    assert list(documents.columns[:4]) == ["doc_id", "theme_id", "present", "n_passages"]
    assert len(documents) == 3 * 34
    for name in (
        "theme_evidence.csv",
        "theme_prevalence.csv",
        "prevalence_by_year.csv",
        "prevalence_by_review_model.csv",
        "why_passages.parquet",
        "briefings/information_sharing.html",
        "briefings/information_sharing.md",
        "briefings/information_sharing.docx",
        "figures/theme-prevalence.png",
        "run.json",
    ):
        assert (run / name).exists(), name
    meta = io.read_json(run / "run.json")
    assert meta["method"] == "zero_shot" and meta["corpus"]["documents"] == 3
    assert io.run_status(run) == "complete"


def test_quality_writes_the_screening_table(corpus, tmp_path):
    cmd.quality(corpus=corpus, out=tmp_path / "q")
    run = latest(tmp_path / "q")
    table = pd.read_csv(run / "quality_markers.csv", keep_default_na=False)
    assert list(table.columns[:6]) == [
        "doc_id",
        "marker_id",
        "number",
        "group",
        "label",
        "evidence_found",
    ]
    assert "best_passage" in table.columns and len(table) == 3 * 18
    assert (run / "marker_coverage.csv").exists() and (
        run / "figures" / "marker-coverage.png"
    ).exists()


def test_search_keyword_semantic_and_like(corpus, tmp_path, capsys):
    cmd.search("bruise", corpus=corpus, out=tmp_path / "s")
    hits = pd.read_csv(latest(tmp_path / "s") / "search_results.csv")
    assert hits["match"].tolist() == ["bruise", "Bruising"]
    assert "d1, chronology, p. 1: " in capsys.readouterr().out
    cmd.search("school information", corpus=corpus, out=tmp_path / "s", mode="semantic", top=2)
    assert len(pd.read_csv(latest(tmp_path / "s") / "search_results.csv")) == 2
    cmd.search(corpus=corpus, out=tmp_path / "s", like="d1-p0003", top=1)
    assert pd.read_csv(latest(tmp_path / "s") / "search_results.csv")["doc_id"].tolist() == ["d3"]
    with pytest.raises(typer.BadParameter):
        cmd.search(corpus=corpus, out=tmp_path / "s")
    with pytest.raises(typer.BadParameter) as typo:
        cmd.search(corpus=corpus, out=tmp_path / "s", like="d1-p003")
    message = str(typo.value)  # no stray quotes round the message, and the likeliest ids
    assert message.startswith("no passage 'd1-p003' in this corpus; did you mean d1-p0003, ")


def test_search_reads_title_pages_and_contents_too(corpus, tmp_path):
    passages = pd.read_parquet(corpus / "passages.parquet")
    contents = passages.iloc[[0]].assign(
        passage_id="d1-p0000", section="contents", text="Contents 1. Kingfisher project 4"
    )
    pd.concat([contents, passages], ignore_index=True).to_parquet(corpus / "passages.parquet")
    cmd.search("kingfisher", corpus=corpus, out=tmp_path / "s")
    hits = pd.read_csv(latest(tmp_path / "s") / "search_results.csv")
    assert hits["passage_id"].tolist() == ["d1-p0000"]


def test_briefing_default_and_unknown_theme(corpus, tmp_path, capsys):
    cmd.briefing(corpus=corpus, out=tmp_path / "b")
    assert len(list((latest(tmp_path / "b") / "briefings").glob("*.html"))) == 1
    assert "1 briefing(s)" in capsys.readouterr().out
    cmd.briefing(["hidden_men", "information_sharing"], corpus=corpus, out=tmp_path / "b2")
    assert "2 briefing(s)" in capsys.readouterr().out  # three files each: html, md, docx
    with pytest.raises(typer.BadParameter, match="did you mean hidden_men"):
        cmd.briefing(["hiden_men"], corpus=corpus, out=tmp_path / "b")


def test_commands_leave_out_title_pages_and_contents_as_notebook_runs_do(corpus, tmp_path):
    passages = pd.read_parquet(corpus / "passages.parquet")
    contents = passages.iloc[[0]].assign(
        passage_id="d1-p0000",
        section="contents",
        text="Contents 1. Neglect 4 2. Information sharing between agencies 7 3. Findings 9",
    )
    pd.concat([contents, passages], ignore_index=True).to_parquet(corpus / "passages.parquet")
    cmd.themes(corpus=corpus, out=tmp_path / "runs", method="zero_shot")
    run = latest(tmp_path / "runs")
    why = pd.read_parquet(run / "why_passages.parquet")
    assert set(why["passage_id"]) == set(passages["passage_id"])  # every passage but the list
    record = json.loads((run / "run.json").read_text())["corpus"]
    assert record["passages"] == len(passages)
    assert record["content_hash"] != record["ingested_hash"]  # coded part vs whole corpus


def test_cli_wiring_and_user_codebook(corpus, tmp_path):
    import yaml
    from lens_fixtures import CODEBOOK

    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(CODEBOOK))
    app = typer.Typer()
    for f in (cmd.themes, cmd.quality, cmd.search, cmd.briefing):
        app.command()(f)
    result = CliRunner().invoke(
        app,
        [
            "themes",
            "--corpus",
            str(corpus),
            "--out",
            str(tmp_path / "cli"),
            "--codebook",
            str(path),
            "--method",
            "zero_shot",
        ],
    )
    assert result.exit_code == 0, result.output
    thresholds = pd.read_csv(latest(tmp_path / "cli") / "theme_thresholds.csv")
    assert thresholds.set_index("theme_id").loc["bruising", "source"].startswith("fallback")
    result = CliRunner().invoke(
        app,
        [
            "briefing",
            "bruising",
            "--corpus",
            str(corpus),
            "--out",
            str(tmp_path / "cli2"),
            "--codebook",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(
        app, ["themes", "--corpus", str(corpus), "--codebook", str(tmp_path / "absent.yaml")]
    )
    assert bad.exit_code != 0 and "not found" in bad.output


@pytest.mark.slow
def test_sample_corpus_end_to_end_with_the_static_backend(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    if not (sample / "corpus.yaml").exists():
        pytest.skip("sample corpus not built")
    cmd.themes(corpus=sample, out=tmp_path / "t", backend="static", method="zero_shot")
    run = latest(tmp_path / "t")
    summary = pd.read_csv(run / "theme_prevalence.csv")
    assert summary["denominator"].eq(48).all()
    assert (run / "national_comparison.csv").exists()
    assert len(list((run / "briefings").glob("*.md"))) == 1
    cmd.quality(corpus=sample, out=tmp_path / "q", backend="static", method="auto")
    table = pd.read_csv(latest(tmp_path / "q") / "quality_markers.csv")
    assert table["method"].isin(["supervised", "zero_shot"]).all() and table["evidence_found"].any()


def test_bad_inputs_are_reported_as_parameter_errors(corpus, tmp_path):
    with pytest.raises(typer.BadParameter, match="choose minilm or static, not .bert."):
        cmd.themes(corpus=corpus, out=tmp_path / "x", backend="bert")
    with pytest.raises(typer.BadParameter, match="does not exist"):
        cmd.themes(corpus=tmp_path / "nowhere", out=tmp_path / "x")
    with pytest.raises(typer.BadParameter, match="needs --labels"):
        cmd.themes(corpus=corpus, out=tmp_path / "x", method="supervised")
    with pytest.raises(typer.BadParameter, match="choose auto"):
        cmd.quality(corpus=corpus, out=tmp_path / "x", method="magic")


def said(result) -> str:
    """The command's output without the box typer draws round usage errors."""
    import re

    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())


def _app():
    app = typer.Typer()
    for f in (cmd.themes, cmd.quality, cmd.search, cmd.briefing):
        app.command()(f)
    return app


def test_labels_of_another_corpus_are_refused_or_set_aside(corpus, tmp_path):
    from conftest import SAMPLE

    labels = ["--labels", str(SAMPLE / "labels")]  # the sample's labels name none of d1..d3
    base = ["themes", "--corpus", str(corpus), "--out", str(tmp_path / "t"), *labels]
    refused = CliRunner().invoke(_app(), [*base, "--method", "supervised"])
    assert refused.exit_code == 2 and "the labels describe 0 of this corpus's reports" in (
        refused.output
    )
    assert not (tmp_path / "t").exists()  # nothing half-written
    auto = CliRunner().invoke(_app(), [*base, "--method", "auto"])
    assert auto.exit_code == 0 and "coding zero-shot" in auto.output
    # zero-shot prevalence on a new kind of report can be far off: the run says so
    assert "calibrated on the sample corpus of case reviews" in auto.output
    assert io.read_json(latest(tmp_path / "t") / "run.json")["method"] == "zero_shot"


def test_broken_labels_and_outputs_are_one_line_errors(corpus, tmp_path):
    import shutil

    from conftest import SAMPLE

    broken = shutil.copytree(SAMPLE / "labels", tmp_path / "labels")
    pd.read_csv(broken / "paragraphs.csv").drop(columns="para_index").to_csv(
        broken / "paragraphs.csv", index=False
    )
    result = CliRunner().invoke(
        _app(), ["themes", "--corpus", str(corpus), "--labels", str(broken), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "has no column para_index" in said(result)
    (tmp_path / "afile").write_text("x")
    result = CliRunner().invoke(
        _app(), ["quality", "--corpus", str(corpus), "--out", str(tmp_path / "afile")]
    )
    assert result.exit_code == 2 and "a file is in the way" in result.output
    result = CliRunner().invoke(
        _app(),
        ["themes", "--corpus", str(corpus), "--briefing", "nosuch", "--out", str(tmp_path / "b")],
    )
    assert result.exit_code == 2 and "nosuch" in said(result)
    assert not (tmp_path / "b").exists()  # refused before any work
