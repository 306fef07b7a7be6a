"""Ingest speed and the bad-input ledger on the shared real corpora.

Measured in one run on this machine:

1. baseline: sequential ``pypdf`` ``extract_text`` over every page of the Ofsted PDFs;
2. cold ingest of the same folder (fresh, empty ``LIP_CACHE_DIR``): parallel pypdfium2
   extraction, cleaning, sections, passages, files written;
3. re-ingest of the unchanged folder (batch cache), and again with only the per-file
   cache (as when a few files are added to a large folder);
4. the Ofsted reports and the bad inputs together: the ledger, and checks that no passage
   holds a running header or footer line, or the licence and contact text.

    python benchmarks/ingest.py [--shared ../shared/corpora]
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

SPEEDUP_TARGET, CACHE_TARGET = 10.0, 20.0
BOILERPLATE = [
    "Open Government Licence",
    "Crown copyright",
    "enquiries@ofsted.gov.uk",
    "0300 123",
    "Piccadilly Gate",
]


def pypdf_baseline(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of sequential pypdf text extraction over every page."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        for page in pypdf.PdfReader(path).pages:
            page.extract_text()
    return time.perf_counter() - start, time.process_time() - cpu


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timed_ingest(
    sources: list[Path], out: Path, manifest: Path | None
) -> tuple[float, float, object]:
    """Wall and CPU seconds of ``run_ingest`` (workers included), and the corpus."""
    from lip_research.config import IngestConfig
    from lip_research.ingest import run_ingest

    start, cpu = time.perf_counter(), cpu_seconds()
    corpus = run_ingest(sources, out, IngestConfig(), manifest, progress=False)
    return time.perf_counter() - start, cpu_seconds() - cpu, corpus


def repeated_line_hits(corpus) -> tuple[int, int]:
    """Lines that repeat on more than half the pages of their PDF and are in a passage:
    as page furniture, and only as a field's value ("Inspection dates: 22 to 26 July 2024",
    the dates a footer repeats, kept on the title page)."""
    import pypdfium2 as pdfium

    def norm(text: str) -> str:
        return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")

    hits = fields = 0
    for doc_id, path in zip(corpus.documents["doc_id"], corpus.documents["path"], strict=True):
        if not str(path).endswith(".pdf"):
            continue
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            continue  # the damaged download: nothing to compare against
        counts: collections.Counter[str] = collections.Counter()
        for page in pdf:
            lines = page.get_textpage().get_text_bounded().splitlines()
            counts.update({norm(line.strip()) for line in lines if len(line.strip()) >= 4})
        repeated = [line for line, n in counts.items() if n > len(pdf) / 2]
        passages = corpus.passages[corpus.passages["doc_id"] == doc_id]
        texts = passages["text"].map(norm)
        title_page = passages["page_start"] == 1
        for line in repeated:
            fields_cut = texts.where(~title_page, texts.str.replace(f": {line}", ":", regex=False))
            if fields_cut.str.contains(line, regex=False).any():
                hits += 1
            elif texts.str.contains(line, regex=False).any():
                fields += 1
        pdf.close()
    return hits, fields


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
    parser.add_argument("--shared", type=Path, default=default)
    args = parser.parse_args()
    pdf_dir, bad_dir = args.shared / "ofsted-ilacs" / "pdf", args.shared / "bad-inputs" / "files"
    manifest = args.shared / "ofsted-ilacs" / "manifest.csv"
    if not pdf_dir.is_dir():
        print(f"{pdf_dir} not found: this benchmark needs the shared corpora")
        return 1
    files = sorted(pdf_dir.glob("*.pdf"))
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run")
    print(f"corpus: {len(files)} PDFs, {megabytes:.1f} MB")
    for path in files:  # both contenders start with the files in the OS cache
        path.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LIP_CACHE_DIR"] = str(Path(tmp) / "cache")  # a fresh, empty cache
        from lip_research.ingest import cache_root, summary_line

        cold, cold_cpu, corpus = timed_ingest([pdf_dir], Path(tmp) / "ofsted", manifest)
        warm, _, again = timed_ingest([pdf_dir], Path(tmp) / "ofsted", manifest)
        shutil.rmtree(cache_root() / "batches")  # keep only the per-file results
        warm_files, _, _ = timed_ingest([pdf_dir], Path(tmp) / "ofsted", manifest)
        try:
            baseline, baseline_cpu = pypdf_baseline(files)
        except ImportError:
            baseline = baseline_cpu = None
        same = corpus.passages.equals(again.passages) and corpus.documents.equals(again.documents)
        print(
            f"cold ingest (pypdfium2, {os.cpu_count()} workers): {cold:6.2f} s wall, {cold_cpu:5.2f} s CPU "
            f"({len(corpus.documents)} documents, {len(corpus.passages)} passages)"
        )
        if baseline is None:
            print("pypdf is not installed (pip install pypdf): no baseline")
        else:
            verdict = "meets" if baseline / cold >= SPEEDUP_TARGET else "BELOW"
            print(
                f"sequential pypdf extract_text:        {baseline:6.2f} s wall, {baseline_cpu:5.2f} s CPU"
            )
            print(
                f"speed-up over pypdf: {baseline / cold:.1f}x ({verdict} the {SPEEDUP_TARGET:g}x target)"
            )
        verdict = "meets" if cold / warm >= CACHE_TARGET else "BELOW"
        print(
            f"re-ingest, unchanged files: {warm:.3f} s, {cold / warm:.1f}x faster "
            f"({verdict} the {CACHE_TARGET:g}x target); identical output: {same}"
        )
        print(
            f"re-ingest from per-file caches only: {warm_files:.3f} s, {cold / warm_files:.1f}x faster"
        )
        print(f"load average after the timings: {os.getloadavg()[0]:.1f}")
        if bad_dir.is_dir():
            _, _, both = timed_ingest([pdf_dir, bad_dir], Path(tmp) / "both", manifest)
            print(f"\nofsted + bad inputs: {summary_line(both)}")
            ledger = both.ledger
            for row in ledger[ledger["path"].str.contains("bad-inputs")].itertuples():
                print(f"  {Path(row.path).name:<42} {row.status:<9} {row.reason}")
            hits, fields = repeated_line_hits(both)
            print(
                f"lines repeated on most pages of their PDF held in passages: {hits} "
                f"(and {fields} only as a field's value on the title page)"
            )
            for text in BOILERPLATE:
                count = int(both.passages["text"].str.contains(text, regex=False).sum())
                print(f"passages containing {text!r}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
