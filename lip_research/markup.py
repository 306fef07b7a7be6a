"""Readers for Word documents and saved web pages: headings, paragraphs, lists, tables.

Both return an :class:`~lip_research.extract.Extracted` in the light Markdown-like form the
cleaner expects: ``#`` headings, blank lines between paragraphs, ``•`` list items and
table rows as ``cell | cell``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lip_research.extract import BadInput, Extracted

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> Extracted:
    """Paragraphs and tables in reading order; heading styles become '#' headings."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadInput(f"not a valid .docx: the Word file is damaged ({exc})") from None
    pages: list[list[str]] = [[]]
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{W_NS}p":
            if child.findall(f".//{W_NS}lastRenderedPageBreak") or child.findall(
                f".//{W_NS}br[@{W_NS}type='page']"
            ):
                pages.append([])
            text = "".join(t.text or "" for t in child.iter(f"{W_NS}t")).strip()
            if text:
                pages[-1].append(_docx_line(child, text))
        elif child.tag == f"{W_NS}tbl":
            for row in child.iter(f"{W_NS}tr"):
                cells = [
                    " ".join("".join(t.text or "" for t in cell.iter(f"{W_NS}t")).split())
                    for cell in row.iter(f"{W_NS}tc")
                ]
                line = " | ".join(c for c in cells if c)
                if line:
                    pages[-1].append(line)
    title = (document.core_properties.title or "").strip() or None
    texts = ["\n\n".join(lines) for lines in pages if lines] or [""]
    return Extracted(pages=texts, format="docx", structured=True, title=title)


def _docx_line(paragraph, text: str) -> str:
    style = paragraph.find(f"{W_NS}pPr/{W_NS}pStyle")
    name = (style.get(f"{W_NS}val") if style is not None else "") or ""
    level = re.match(r"(?i)heading\s*(\d)", name)
    if name.lower() == "title":
        return f"# {text}"
    if level:
        return "#" * min(6, int(level.group(1)) + 1) + " " + text
    if paragraph.find(f"{W_NS}pPr/{W_NS}numPr") is not None or "list" in name.lower():
        return f"• {text}"
    return text


HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dd", "dt"]
HTML_DROP = [
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "noscript",
    "svg",
]


def read_html(path: Path) -> Extracted:
    """Main content of a saved web page: headings, paragraphs, list items and table rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(HTML_DROP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines = []
    for tag in root.find_all(HTML_BLOCKS):
        if tag.find(HTML_BLOCKS):
            continue
        text = " ".join(tag.get_text(" ", strip=True).split())
        if not text:
            continue
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            text = "#" * int(tag.name[1:]) + " " + text
        elif tag.name == "li":
            text = "• " + text
        elif tag.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in tag.find_all(["td", "th"]))
        lines.append(text)
    if not lines:
        lines = [line.strip() for line in root.get_text("\n").splitlines() if line.strip()]
    return Extracted(pages=["\n\n".join(lines)], format="html", structured=True, title=title)
