"""Section labels of ingested passages against the sample corpus ground truth.

Ingests ``data/sample/reports`` (with its manifest) into a temporary folder, then, for
each passage, finds the labelled paragraphs of the same document it shares most words
with and compares sections. Text that overlaps no labelled paragraph (in the sample, only
the title page) has the ground-truth section ``front_matter``. Prints the share of passages whose section
agrees (target: at least 90%), by format and by section.

    python benchmarks/sections.py [--sample data/sample]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

from lip_research.config import IngestConfig
from lip_research.ingest import run_ingest

TARGET = 0.90
MIN_SHARE = 0.5  # a passage holds a paragraph when it has half of that paragraph's words
UNLABELLED = "front_matter"  # the sample's only unlabelled text is each report's title page
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(str(text).lower().replace("’", "'")))


def truth_for(passage: str, paragraphs: pd.DataFrame) -> str:
    """The section of the labelled paragraph the passage contains most of.

    Containment is the share of the paragraph's words found in the passage; below
    ``MIN_SHARE`` for every paragraph, the passage is unlabelled text (the title page).
    """
    tokens = words(passage)
    best, section = 0.0, UNLABELLED
    for label, text in zip(paragraphs["section"], paragraphs["text"], strict=True):
        para = words(text)
        share = sum((tokens & para).values()) / max(1, sum(para.values()))
        if share > best:
            best, section = share, label
    return section if best >= MIN_SHARE else UNLABELLED


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=Path("data/sample"))
    args = parser.parse_args()
    reports, labels = args.sample / "reports", args.sample / "labels" / "paragraphs.csv"
    if not reports.is_dir() or not labels.exists():
        print(
            f"sample corpus not found under {args.sample} (need reports/ and labels/paragraphs.csv)"
        )
        return 1
    manifest = args.sample / "manifest.csv"
    with tempfile.TemporaryDirectory() as tmp:
        corpus = run_ingest(
            [reports],
            Path(tmp),
            IngestConfig(),
            manifest if manifest.exists() else None,
            progress=False,
        )
    truth = pd.read_csv(labels)
    by_doc = {doc: frame for doc, frame in truth.groupby("doc_id")}
    passages = corpus.passages.merge(corpus.documents[["doc_id", "format"]], on="doc_id")
    passages["truth"] = [
        truth_for(text, by_doc.get(doc, truth.iloc[:0]))
        for doc, text in zip(passages["doc_id"], passages["text"], strict=True)
    ]
    passages["agrees"] = passages["truth"] == passages["section"]
    unlabelled = sorted(set(passages["doc_id"]) - set(by_doc))
    share = passages["agrees"].mean()
    print(f"documents: {corpus.documents.shape[0]}, passages: {len(passages)}")
    if unlabelled:
        print(f"documents without labels: {len(unlabelled)} ({', '.join(unlabelled[:5])} ...)")
    print("agreement by format:")
    for fmt, group in passages.groupby("format"):
        print(f"  {fmt:<10} {group['agrees'].mean():6.1%}  ({len(group)} passages)")
    print("agreement by true section:")
    for section, group in passages.groupby("truth"):
        wrong = Counter(group.loc[~group["agrees"], "section"]).most_common(2)
        note = f"  mistaken for {', '.join(f'{s} ({n})' for s, n in wrong)}" if wrong else ""
        print(f"  {section:<20} {group['agrees'].mean():6.1%}  ({len(group)}){note}")
    verdict = "meets" if share >= TARGET else "BELOW"
    print(
        f"section agreement: {share:.1%} of {len(passages)} passages ({verdict} the {TARGET:.0%} target)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
