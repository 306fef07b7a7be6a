"""Format readers: one file in, its text page by page out, or a reason a researcher understands.

Every reader returns an :class:`Extracted`: pages of text in a light Markdown-like form
(``#`` headings and blank-line paragraphs where the format knows them, raw lines where it
does not, as in PDFs) plus notes for the ledger. A file that cannot be read raises
:class:`BadInput` whose message is the ledger reason. Nothing here touches other files.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
DOCUMENT_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
TABLE_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
}
TABULAR = frozenset(TABLE_SUFFIXES.values())  # formats read as one document per row
OTHER_FORMATS = {  # known but unreadable: what to tell the user
    ".doc": "old Word .doc format is not supported: save it as .docx or PDF",
    ".xls": "old Excel .xls format is not supported: save it as .xlsx or .csv",
    ".rtf": "RTF is not supported: save it as .docx or PDF",
    ".odt": "OpenDocument text is not supported: save it as .docx or PDF",
    ".pptx": "slides are not supported: export them as PDF",
    ".zip": "a zip archive: unpack it and ingest the folder",
}
PDF_ERR_PASSWORD, PDF_ERR_SECURITY = 4, 6
MIN_PAGE_CHARS = 10  # a page with fewer visible characters has no usable text layer


class BadInput(Exception):
    """A file that cannot be read; ``str(exc)`` is the reason shown in the ledger."""

    def __init__(self, reason: str, cacheable: bool = True) -> None:
        super().__init__(reason)
        self.cacheable = cacheable


@dataclass
class Extracted:
    """Text of one document, page by page, with what the ledger should say about it."""

    pages: list[str]
    format: str
    structured: bool = False  # blank lines separate paragraphs and '#' marks headings
    title: str | None = None
    year: int | None = None  # where the file says it (Markdown front matter)
    warnings: list[str] = field(default_factory=list)  # status 'warning'
    notes: list[str] = field(default_factory=list)  # said in the reason, status stays 'ok'


# -- sniffing ------------------------------------------------------------------------------
def format_for(path: Path) -> str | None:
    """The format a file name promises (``pdf``, ``docx``, ``html``, ``text``, ``csv`` …)."""
    suffix = path.suffix.lower()
    for table in (DOCUMENT_SUFFIXES, TEXT_SUFFIXES, TABLE_SUFFIXES):
        if suffix in table:
            return table[suffix]
    return None


def sniff(head: bytes) -> str:
    """What the first bytes say a file really is."""
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:1024]:
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head:
        return "text"
    return "binary"


DESCRIPTIONS = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "xlsx": "an Excel workbook",
    "zip": "a zip archive",
    "badzip": "not a readable zip archive",
    "ole": "an old-style Office file (.doc/.xls) or a password-protected Office file",
    "parquet": "a Parquet table",
    "image": "an image",
    "rtf": "an RTF document",
    "html": "an HTML page",
    "text": "plain text",
    "binary": "binary data of unknown type",
}
TEXTUAL = ("text", "markdown", "html", "csv", "jsonl")


def check_kind(path: Path, claimed: str | None, head: bytes) -> str:
    """The reader to use for ``path``, or :class:`BadInput` when its bytes cannot be read.

    An HTML page saved under another name is refused, not read: in practice it is a failed
    download (an error or landing page). A PDF or Word file under another name is read as
    what it really is; the caller warns that the name is wrong.
    """
    actual = sniff(head)
    if actual == "empty":
        raise BadInput("empty file (0 bytes)")
    if actual == "zip":
        actual = _zip_kind(path)
    if actual == "html" and claimed != "html":
        title = html_title(head)
        said = f" titled '{title}'" if title else ""
        raise BadInput(
            f"not {_promised(claimed)}: the file is an HTML page{said} (a failed download?); "
            "download the report again, or rename it to .html if the page is the report"
        )
    if claimed == "docx" and actual == "badzip":
        raise BadInput(
            "not a valid .docx: the file is not a Word document (its bytes are not a "
            "readable zip archive; damaged, or saved under the wrong name)"
        )
    if claimed == "docx" and actual == "ole":
        raise BadInput(
            "not a valid .docx: it is an old Word .doc file or a password-protected Word "
            "file; open it in Word and save it as .docx without a password"
        )
    if actual in ("pdf", "docx") or actual == claimed:
        return actual
    if claimed in TEXTUAL and actual == "text":
        return claimed
    raise BadInput(f"not {_promised(claimed)}: the file is {DESCRIPTIONS[actual]}")


def _promised(claimed: str | None) -> str:
    names = {"pdf": "a PDF", "docx": "a valid .docx", "xlsx": "a valid .xlsx"}
    return names.get(claimed or "", f"a valid {claimed} file")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "badzip"
    if "word/document.xml" in names:
        return "docx"
    return "xlsx" if "xl/workbook.xml" in names else "zip"


def html_title(head: bytes) -> str | None:
    match = re.search(rb"<title[^>]*>(.*?)</title>", head, re.I | re.S)
    if not match:
        return None
    title = " ".join(match.group(1).decode("utf-8", "replace").split())
    return title[:120] or None


# -- text and encodings --------------------------------------------------------------------
def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("latin-1"), "Latin-1"


MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")


def read_text(path: Path, markdown: bool) -> Extracted:
    """A .txt or .md file; form feeds separate pages."""
    text, encoding = decode_bytes(path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front: dict = {}
    if markdown:
        front, text = front_matter(text)
        text = MD_EMPHASIS.sub(r"\2", MD_LINK.sub(r"\1", text))
        text = re.sub(r"^(\s*)[*+-]\s+", r"\1• ", text, flags=re.M)
    out = Extracted(
        pages=text.split("\f"), format="markdown" if markdown else "text", structured=markdown
    )
    if front:
        keys = {str(k).lower(): v for k, v in front.items()}
        title = keys.get("title")
        out.title = str(title).strip() if isinstance(title, (str, int)) else None
        for key in ("year", "date", "published"):
            found = YEAR.search(str(keys.get(key, "")))
            if found:
                out.year = int(found.group(1))
                break
        out.notes.append(f"front matter read ({', '.join(map(str, front))})")
    if encoding != "UTF-8":
        out.notes.append(f"text encoding detected: {encoding}, not UTF-8; accents preserved")
    return out


YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")  # the years reports are read in
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def front_matter(text: str) -> tuple[dict, str]:
    """A Markdown file's YAML front matter (``---`` ... ``---`` at the top) and the text after
    it; ``({}, text)`` when there is none, or it is not a YAML mapping."""
    import yaml

    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text
    try:  # every value as written, so a date that is no date (2019-02-30) is still text
        values = yaml.load(found.group(1), Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        return {}, text
    if not isinstance(values, dict):
        return {}, text
    return values, text[found.end() :]


# -- PDF -------------------------------------------------------------------------------------
def read_pdf(path: Path, allow_ocr: bool = True) -> Extracted:
    """Text of every page with pypdfium2; damaged files are repaired when possible."""
    import pypdfium2 as pdfium

    warnings: list[str] = []
    damaged = None
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (PDF_ERR_PASSWORD, PDF_ERR_SECURITY):
            raise BadInput("encrypted: a password is needed to open this PDF") from None
        pdf, damaged = _recover_pdf(path.read_bytes())
    try:
        pages = [_page_text(pdf, index) for index in range(len(pdf))]
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
        empty = sum(len(p.strip()) < MIN_PAGE_CHARS for p in pages)
        if damaged:
            if empty == len(pages):
                raise BadInput(f"{damaged}: no pages could be recovered")
            warnings.append(
                f"{damaged}: text recovered from {len(pages) - empty} of {len(pages)} pages"
            )
        elif pages and empty == len(pages):
            if not _has_images(pdf):
                raise BadInput("no text found: every page is blank")
            return _ocr_or_fail(path, len(pages), allow_ocr)
        elif empty >= max(2, len(pages) // 5):
            warnings.append(f"{empty} of {len(pages)} pages have no text layer (images only?)")
    finally:
        pdf.close()
    return Extracted(pages=pages, format="pdf", title=title, warnings=warnings)


def _page_text(pdf, index: int) -> str:
    """The text of one page (as ``get_text_bounded``), through the raw pdfium calls: this runs
    for every page of every report, and the helper objects cost a tenth of the time."""
    import ctypes

    import pypdfium2.raw as raw

    page = raw.FPDF_LoadPage(pdf.raw, index)
    if not page:
        return ""  # an unreadable page keeps its number: citations use page numbers
    textpage = raw.FPDFText_LoadPage(page)
    try:
        box = raw.FS_RECTF()
        if not textpage or not raw.FPDF_GetPageBoundingBox(page, box):
            return ""
        edges = (box.left, box.top, box.right, box.bottom)
        n = raw.FPDFText_GetBoundedText(textpage, *edges, None, 0)
        if n <= 0:
            return ""
        buffer = (ctypes.c_ushort * n)()
        raw.FPDFText_GetBoundedText(textpage, *edges, buffer, n)
        return bytes(buffer).decode("utf-16-le", errors="ignore")
    finally:
        if textpage:
            raw.FPDFText_ClosePage(textpage)
        raw.FPDF_ClosePage(page)


def _recover_pdf(data: bytes):
    """Rebuild the cross-reference table of a damaged or truncated PDF, or refuse it."""
    import pypdfium2 as pdfium

    reason = "damaged or incomplete PDF"
    if b"%%EOF" not in data[-2048:]:
        reason += " (the file ends early: an interrupted download?)"
    last = data.rfind(b"endobj")
    offsets = {
        int(m.group(1)): m.start(1)
        for m in re.finditer(rb"(?<![0-9])(\d{1,7}) 0 obj\b", data[: last + 6])
    }
    root = re.search(rb"(\d{1,7}) 0 obj\s*<<[^>]*?/Type\s*/Catalog", data)
    if last < 0 or not offsets or not root:
        raise BadInput(f"{reason}: no pages could be recovered")
    body = data[: last + 6] + b"\n"
    size = max(offsets) + 1
    rows = [
        b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
        for i in range(size)
    ]
    rows[0] = b"0000000000 65535 f \n"
    trailer = b"trailer\n<< /Size %d /Root %s 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        root.group(1),
        len(body),
    )
    fixed = body + b"xref\n0 %d\n" % size + b"".join(rows) + trailer
    try:
        return pdfium.PdfDocument(fixed), reason
    except pdfium.PdfiumError:
        raise BadInput(f"{reason}: no pages could be recovered") from None


def _has_images(pdf) -> bool:
    import pypdfium2.raw as raw

    for index in range(min(len(pdf), 5)):
        if any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in pdf[index].get_objects()):
            return True
    return False


OCR_HINT = (
    "no text layer (scanned images): needs OCR. To read it, install OCR support "
    "(pip install ocrmypdf, plus the tesseract program, e.g. apt install tesseract-ocr) "
    "and ingest again"
)


def ocr_available() -> bool:
    """True when ocrmypdf and tesseract are installed (both optional)."""
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return False
    return shutil.which("tesseract") is not None


def _ocr_or_fail(path: Path, n_pages: int, allow_ocr: bool) -> Extracted:
    if not (allow_ocr and ocr_available()):
        raise BadInput(OCR_HINT)
    import ocrmypdf

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ocr.pdf"
        try:
            ocrmypdf.ocr(path, out, skip_text=True, progress_bar=False)
        except Exception as exc:  # ocrmypdf raises many kinds; all mean "OCR failed"
            raise BadInput(f"no text layer: OCR failed ({type(exc).__name__}: {exc})") from None
        result = read_pdf(out, allow_ocr=False)
    result.warnings.append(
        f"no text layer: text of {n_pages} pages read by OCR (check its quality)"
    )
    return result
