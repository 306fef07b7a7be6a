"""Shared fixtures: the real sample corpus (whole or a slice), ingested once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def interim_outside_the_project(tmp_path_factory):
    """Corpora the tests ingest go to a temporary folder, not the project's data/interim/
    (each test session would otherwise leave copies there). Set before any command runs, so
    CLI subprocesses and notebook kernels inherit it."""
    folder = tmp_path_factory.mktemp("interim")
    before = os.environ.get("LIP_INTERIM_DIR")
    os.environ["LIP_INTERIM_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("LIP_INTERIM_DIR", None)
    else:
        os.environ["LIP_INTERIM_DIR"] = before


def make_slice(target: Path, n_per_format: dict[str, int]) -> Path:
    """A labelled corpus folder with some of the sample's reports (each format represented)."""
    manifest = pd.read_csv(SAMPLE / "manifest.csv")
    picked = []
    for fmt, n in n_per_format.items():
        rows = manifest[manifest["format"] == fmt]
        # spread over harms: one per harm first
        rows = (
            rows.drop_duplicates("harm").head(n)
            if len(rows.drop_duplicates("harm")) >= n
            else rows.head(n)
        )
        picked.append(rows)
    chosen = pd.concat(picked).sort_values("doc_id")
    (target / "reports").mkdir(parents=True)
    for f in chosen["file"]:
        shutil.copy(SAMPLE / "reports" / f, target / "reports" / f)
    chosen.to_csv(target / "manifest.csv", index=False)
    (target / "labels").mkdir()
    for name in (
        "paragraphs.csv",
        "passage_themes.csv",
        "document_themes.csv",
        "document_markers.csv",
    ):
        table = pd.read_csv(SAMPLE / "labels" / name)
        table[table["doc_id"].isin(chosen["doc_id"])].to_csv(target / "labels" / name, index=False)
    catalogue = pd.read_csv(SAMPLE / "catalogue.csv")
    catalogue[catalogue["doc_id"].isin(chosen["doc_id"])].to_csv(
        target / "catalogue.csv", index=False
    )
    shutil.copy(SAMPLE / "corpus.yaml", target / "corpus.yaml")
    text = (target / "corpus.yaml").read_text().replace("name: sample", f"name: {target.name}")
    (target / "corpus.yaml").write_text(text)
    return target


@pytest.fixture(scope="session")
def sample_slice(tmp_path_factory) -> Path:
    """12 sample reports: 2 PDF, 2 Word, 4 Markdown, 4 text."""
    return make_slice(
        tmp_path_factory.mktemp("corpora") / "slice", {"pdf": 2, "docx": 2, "md": 4, "txt": 4}
    )


@pytest.fixture(scope="session")
def ingested_slice(sample_slice, tmp_path_factory):
    """The slice ingested into its own corpus folder (read back through io)."""
    from lip_research import io
    from lip_research.config import IngestConfig
    from lip_research.ingest import run_ingest

    out = tmp_path_factory.mktemp("ingested") / "slice"
    run_ingest([sample_slice / "reports"], out, IngestConfig(), sample_slice / "manifest.csv")
    return io.read_corpus(out)
