"""Format readers and file sniffing: each bad input gets its own plain-words reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from lip_research import extract, markup
from lip_research.extract import BadInput, check_kind, decode_bytes, format_for


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make_pdf(path: Path, pages: list[list[str]], **encryption: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.set_font("helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def reason(path: Path) -> str:
    with pytest.raises(BadInput) as info:
        kind = check_kind(path, format_for(path), path.read_bytes()[:8192])
        {"pdf": extract.read_pdf, "docx": markup.read_docx}[kind](path)
    return str(info.value)


# -- sniffing -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        pytest.param("empty.pdf", b"", "empty file (0 bytes)", id="empty"),
        pytest.param(
            "saved.pdf",
            b"<!DOCTYPE html><html><head><title>Report not found</title></head><body>x</body></html>",
            "not a PDF: the file is an HTML page titled 'Report not found'",
            id="html-saved-as-pdf",
        ),
        pytest.param(
            "garbage.docx", b"PK\x03\x04garbage, not a zip", "not a valid .docx", id="fake-docx"
        ),
        pytest.param(
            "old.docx",
            b"\xd0\xcf\x11\xe0" + b"\0" * 600,
            "not a valid .docx: it is an old Word .doc file",
            id="ole-docx",
        ),
        pytest.param(
            "notes.pdf",
            b"just some words in a text file",
            "not a PDF: the file is plain text",
            id="text-as-pdf",
        ),
        pytest.param(
            "picture.txt",
            b"\x89PNG\r\n\x1a\n\0\0\0",
            "not a valid text file: the file is an image",
            id="png-as-txt",
        ),
    ],
)
def test_mismatched_bytes_get_a_specific_reason(tmp_path, name, data, expected):
    path = write(tmp_path, name, data)
    with pytest.raises(BadInput) as info:
        check_kind(path, format_for(path), data)
    assert str(info.value).startswith(expected)


def test_pdf_under_another_name_is_read_as_pdf(tmp_path):
    source = make_pdf(tmp_path / "real.pdf", [["Hello there."]])
    renamed = write(tmp_path, "report.txt", source.read_bytes())
    assert check_kind(renamed, "text", renamed.read_bytes()[:8192]) == "pdf"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        pytest.param("Café naïve".encode(), "Café naïve", "UTF-8", id="utf8"),
        pytest.param("\ufeffCafé".encode(), "Café", "UTF-8", id="utf8-bom"),
        pytest.param(
            "Café maïtre – ‘quoted’".encode("cp1252"),
            "Café maïtre – ‘quoted’",
            "Windows-1252 (Latin-1)",
            id="cp1252",
        ),
        pytest.param("Café".encode("latin-1"), "Café", "Windows-1252 (Latin-1)", id="latin1"),
    ],
)
def test_decode_bytes_detects_the_encoding(data, text, encoding):
    assert decode_bytes(data) == (text, encoding)


# -- readers ----------------------------------------------------------------------------------
def test_read_text_markdown_keeps_headings_drops_markup(tmp_path):
    path = write(
        tmp_path, "r.md", b"# Title\n\nSome **bold** and [a link](http://x.org).\n\n- item one\n"
    )
    out = extract.read_text(path, markdown=True)
    assert out.structured
    assert out.pages == ["# Title\n\nSome bold and a link.\n\n• item one\n"]


def test_markdown_front_matter_gives_title_and_year_not_text(tmp_path):
    path = write(
        tmp_path,
        "v.md",
        b'---\r\ntitle: "Child V practice review"\r\ndate: 2016-05-01\r\n---\r\n\r\n# Child V\r\n',
    )
    out = extract.read_text(path, markdown=True)
    assert (out.title, out.year, out.pages) == ("Child V practice review", 2016, ["\n# Child V\n"])
    assert out.notes == ["front matter read (title, date)"]
    rule = write(tmp_path, "rule.md", b"---\nNot: a: mapping: [\n---\n\nText.\n")
    assert extract.read_text(rule, markdown=True).pages[0].startswith("---")  # left as written
    odd = write(tmp_path, "odd.md", b"---\nTitle: Child W\nYear: 2019_report\n---\nText.\n")
    assert (extract.read_text(odd, markdown=True).title, extract.read_text(odd, True).year) == (
        "Child W",
        2019,
    )
    no_date = write(tmp_path, "no-date.md", b"---\ndate: 2019-02-30\n---\nText.\n")
    out = extract.read_text(no_date, markdown=True)  # read as written, not failed
    assert (out.year, out.pages) == (2019, ["Text.\n"])


def test_read_text_latin1_is_noted(tmp_path):
    path = write(tmp_path, "notes.txt", "Café meeting; maïtre.".encode("latin-1"))
    out = extract.read_text(path, markdown=False)
    assert out.pages == ["Café meeting; maïtre."]
    assert "Windows-1252" in out.notes[0]


def test_read_docx_headings_lists_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Review of Child A", level=0)
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph("The review began in May.")
    document.add_paragraph("first point", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "12 May", "Home visit"
    document.core_properties.title = "Review of Child A"
    document.save(str(tmp_path / "r.docx"))
    out = markup.read_docx(tmp_path / "r.docx")
    assert out.pages == [
        "# Review of Child A\n\n## 1. Introduction\n\nThe review began in May.\n\n• first point\n\n12 May | Home visit"
    ]
    assert out.title == "Review of Child A"


def test_read_docx_content_controls_text_boxes_and_footnotes(tmp_path):
    import zipfile

    import docx

    document = docx.Document()
    for text in ("COVER", "Agencies did not share information MARK.", "BOX", "EMPTY", "LINES"):
        document.add_paragraph(text)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "CELL"
    document.save(str(tmp_path / "plain.docx"))

    def para(text: str) -> str:
        return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"

    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    box = f"<w:txbxContent>{para('Key learning: ask who lives in the home.')}</w:txbxContent>"
    swaps = {  # as Word writes them: a cover in a content control, a text box twice
        para("COVER"): f"<w:sdt><w:sdtPr/><w:sdtContent>{para('Child Practice Review')}"
        "</w:sdtContent></w:sdt>",
        "MARK.": '</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.',
        "<w:r><w:t>BOX</w:t></w:r>": f"<w:r><mc:AlternateContent {mc}><mc:Choice Requires='wps'>"
        f"<w:drawing>{box}</w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>",
        para("EMPTY"): "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        f"{para('Click or tap here to enter text.')}</w:sdtContent></w:sdt>",
        "<w:t>LINES</w:t>": "<w:t>Line one</w:t><w:br/><w:t>line two.</w:t>",
        "<w:t>CELL</w:t>": f"<w:t>Chronology</w:t></w:r><w:r><w:drawing>{box}</w:drawing>",
    }
    with zipfile.ZipFile(tmp_path / "plain.docx") as source:
        files = {n: source.read(n) for n in source.namelist()}
    xml = files["word/document.xml"].decode()
    for old, new in swaps.items():
        assert old in xml
        xml = xml.replace(old, new)
    files["word/document.xml"] = xml.encode()
    files["word/footnotes.xml"] = (
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        b'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
        b"The GP used another record system.</w:t></w:r></w:p><w:p><w:r><w:t>Until 2013."
        b"</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    with zipfile.ZipFile(tmp_path / "r.docx", "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    assert markup.read_docx(tmp_path / "r.docx").pages[0].split("\n\n") == [
        "Child Practice Review",
        "Agencies did not share information [1].",
        "Key learning: ask who lives in the home.",
        "Line one line two.",
        "Chronology Key learning: ask who lives in the home.",
        "## Footnotes",
        "[1] The GP used another record system. Until 2013.",
    ]


def test_read_html_main_text_only(tmp_path):
    page = (
        b"<html><head><title>Child B review</title><script>var x=1;</script></head><body>"
        b"<nav>Home | Contact</nav><main><h2>Findings</h2><p>Agencies did not share "
        b"information.</p><ul><li>one</li></ul></main><footer>Cookies</footer></body></html>"
    )
    out = markup.read_html(write(tmp_path, "r.html", page))
    assert out.pages == ["## Findings\n\nAgencies did not share information.\n\n• one"]
    assert out.title == "Child B review"


def test_read_html_text_outside_paragraphs_is_kept_in_order(tmp_path):
    page = (
        b"<html><body><div class='cookie'><p>This site uses cookies.</p></div><div>"
        b"<h2>Background</h2>The family moved <b>twice</b> in 2019.<br>They had no GP."
        b"<br><br>Child M started school.<table><tr><td>Agency</td><td>Role</td></tr></table>"
        b"After the table.<div>Published 2019</div>The review found<img src='x'> gaps."
        b"<ul><li>One, about schools<ul><li>sub point</li></ul></li></ul></div>"
        b"<div><p>Share this page</p></div></body></html>"
    )
    out = markup.read_html(write(tmp_path, "m.html", page))
    assert out.pages[0].split("\n\n") == [
        "This site uses cookies.",
        "## Background",
        "The family moved twice in 2019. They had no GP.",
        "Child M started school.",
        "Agency | Role",
        "After the table.",
        "Published 2019",
        "The review found gaps.",
        "One, about schools",
        "• sub point",
        "Share this page",
    ]


def test_read_pdf_pages_and_title(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", [["First page text."], ["Second page text."]])
    out = extract.read_pdf(path)
    assert [p.strip() for p in out.pages] == ["First page text.", "Second page text."]
    assert out.warnings == []


def test_encrypted_pdf(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", [["secret"]], owner_password="o", user_password="u")
    assert reason(path) == "encrypted: a password is needed to open this PDF"


def test_truncated_pdf_is_damaged(tmp_path):
    source = make_pdf(
        tmp_path / "full.pdf", [[f"Page {i} text about the family."] for i in range(6)]
    )
    data = source.read_bytes()
    cut = write(tmp_path, "cut.pdf", data[: len(data) // 2])
    try:
        out = extract.read_pdf(cut)
    except BadInput as exc:
        assert str(exc).startswith("damaged or incomplete PDF")
    else:  # some pages recovered: said so, with how many
        assert out.warnings[0].startswith("damaged or incomplete PDF")
        assert "text recovered from" in out.warnings[0]


def test_scanned_pdf_needs_ocr(tmp_path, monkeypatch):
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    pdf.output(str(tmp_path / "scan.pdf"))
    monkeypatch.setattr(extract, "ocr_available", lambda: False)
    message = reason(tmp_path / "scan.pdf")
    assert message.startswith("no text layer (scanned images): needs OCR")
    assert "pip install ocrmypdf" in message


def test_blank_pdf_is_not_called_scanned(tmp_path):
    path = make_pdf(tmp_path / "blank.pdf", [[""]])
    assert reason(path) == "no text found: every page is blank"
