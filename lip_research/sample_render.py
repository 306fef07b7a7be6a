"""Write the sample corpus: report files in four formats, a manifest and the label tables."""

from __future__ import annotations

import datetime as dt
import io as _io
from pathlib import Path

import pandas as pd

from lip_research import io
from lip_research.sample import (
    FICTION_NOTICE,
    HARM_TITLES,
    MODEL_NAMES,
    Report,
    front_matter,
    heading_text,
    paragraphs,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def render_text(report: Report, markdown: bool = False) -> tuple[str, list[dict]]:
    """The report as plain text or Markdown, with the character span of each paragraph."""
    parts: list[str] = []
    spans: list[dict] = []
    pos = 0

    def add(chunk: str) -> None:
        nonlocal pos
        parts.append(chunk)
        pos += len(chunk)

    head = front_matter(report)
    add((f"# {head[0]}" if markdown else head[0].upper()) + "\n\n")
    for line in head[1:]:
        add((f"*{line}*" if markdown and line == FICTION_NOTICE else line) + "\n\n")
    current = None
    para_no = 0
    for number, heading, _section, _para, text in paragraphs(report):
        if heading != current:
            current, para_no = heading, 0
            title = heading_text(report, number, heading)
            add((f"## {title}" if markdown else title) + "\n\n")
        para_no += 1
        prefix = f"{number}.{para_no} " if report.model == "chapter8" else ""
        add(prefix)
        spans.append({"char_start": pos, "char_end": pos + len(text)})
        add(text + "\n\n")
    return "".join(parts), spans


def render_docx(report: Report, path: Path) -> None:
    import docx

    document = docx.Document()
    head = front_matter(report)
    document.add_heading(head[0], level=0)
    for line in head[1:]:
        document.add_paragraph(line)
    current = None
    for number, heading, _section, _para, text in paragraphs(report):
        if heading != current:
            current = heading
            document.add_heading(heading_text(report, number, heading), level=1)
        document.add_paragraph(text)
    document.core_properties.title = report.title
    document.core_properties.author = "lip_research sample corpus (fictional)"
    document.core_properties.created = dt.datetime(report.year, 6, 1)
    document.core_properties.modified = dt.datetime(report.year, 6, 1)
    buffer = _io.BytesIO()
    document.save(buffer)
    path.write_bytes(io.fixed_zip_times(buffer.getvalue(), (report.year, 6, 1, 0, 0, 0)))


def render_pdf(report: Report, path: Path) -> None:
    """A4 report with a contents page, running header, footer and page numbers."""
    from fpdf import FPDF

    class ReviewPDF(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("body", size=8)
            self.cell(0, 6, f"{report.names['board']} | {report.title}", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("body", size=8)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = ReviewPDF(format="A4")
    pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(dt.datetime(report.year, 6, 1, tzinfo=dt.UTC))
    pdf.set_creator("lip_research sample corpus")
    pdf.set_title(report.title)
    pdf.set_author("Fictional: lip_research sample corpus")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    head = front_matter(report)
    pdf.set_font("body", "B", 18)
    pdf.multi_cell(0, 10, head[0])
    pdf.ln(4)
    pdf.set_font("body", size=11)
    for line in head[1:]:
        pdf.multi_cell(0, 6, line)
        pdf.ln(2)

    def toc(pdf_: FPDF, outline: list) -> None:
        pdf_.set_font("body", "B", 14)
        pdf_.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT")
        pdf_.set_font("body", size=11)
        for item in outline:
            pdf_.cell(170, 7, item.name)
            pdf_.cell(0, 7, str(item.page_number), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    pdf.insert_toc_placeholder(toc, pages=1)
    pdf.add_page()
    current = None
    para_no = 0
    for number, heading, _section, _para, text in paragraphs(report):
        if heading != current:
            current, para_no = heading, 0
            title = heading_text(report, number, heading)
            pdf.start_section(title)
            pdf.ln(3)
            pdf.set_font("body", "B", 13)
            pdf.multi_cell(0, 8, title)
            pdf.ln(2)
            pdf.set_font("body", size=11)
        para_no += 1
        prefix = f"{number}.{para_no} " if report.model == "chapter8" else ""
        pdf.multi_cell(0, 6, prefix + text)
        pdf.ln(3)
    pdf.output(str(path))


def label_tables(reports: list[Report]) -> dict[str, pd.DataFrame]:
    """Ground truth: paragraphs, passage themes, document themes and document markers."""
    para_rows, theme_rows = [], []
    for report in reports:
        _, spans = render_text(report)
        for index, ((_n, _h, section, para, text), span) in enumerate(
            zip(paragraphs(report), spans, strict=True)
        ):
            para_rows.append(
                {
                    "doc_id": report.doc_id,
                    "para_index": index,
                    "section": section,
                    "bank_id": para.id,
                    "harm": para.harm,
                    "why": para.why,
                    "marker": para.marker or "",
                    **span,
                    "text": text,
                }
            )
            for theme in (*para.themes, *para.typology):
                theme_rows.append({"doc_id": report.doc_id, "para_index": index, "theme_id": theme})
    paras = pd.DataFrame(para_rows)
    themes = pd.DataFrame(theme_rows)
    doc_themes = (
        themes[["doc_id", "theme_id"]].drop_duplicates().sort_values(["doc_id", "theme_id"])
    )
    markers = paras.loc[paras["marker"] != "", ["doc_id", "marker"]].drop_duplicates()
    markers = markers.rename(columns={"marker": "marker_id"}).sort_values(["doc_id", "marker_id"])
    return {
        "paragraphs.csv": paras,
        "passage_themes.csv": themes,
        "document_themes.csv": doc_themes.reset_index(drop=True),
        "document_markers.csv": markers.reset_index(drop=True),
    }


def manifest(reports: list[Report]) -> pd.DataFrame:
    rows = []
    for r in reports:
        words = sum(len(text.split()) for *_, text in paragraphs(r))
        rows.append(
            {
                "file": f"{r.doc_id}.{r.fmt}",
                "doc_id": r.doc_id,
                "title": r.title,
                "year": r.year,
                "review_model": r.model,
                "review_model_name": MODEL_NAMES[r.model],
                "harm": r.harm,
                "harm_description": HARM_TITLES[r.harm],
                "nation": r.nation,
                "area": r.names["area"],
                "format": r.fmt,
                "words": words,
            }
        )
    return pd.DataFrame(rows)


def write_sample(reports: list[Report], out: Path) -> dict[str, int]:
    """Write every report file, the manifest and the labels under ``out``."""
    folder = out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for r in reports:
        path = folder / f"{r.doc_id}.{r.fmt}"
        if r.fmt in ("txt", "md"):
            text, _ = render_text(r, markdown=r.fmt == "md")
            path.write_text(text, encoding="utf-8")
        elif r.fmt == "docx":
            render_docx(r, path)
        else:
            render_pdf(r, path)
    labels = out / "labels"
    labels.mkdir(exist_ok=True)
    for name, frame in label_tables(reports).items():
        frame.to_csv(labels / name, index=False, lineterminator="\n")
    manifest(reports).to_csv(out / "manifest.csv", index=False, lineterminator="\n")
    counts: dict[str, int] = {}
    for r in reports:
        counts[r.fmt] = counts.get(r.fmt, 0) + 1
    return counts
