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
    """Main content of a saved web page: headings, paragraphs, list items and table rows, and
    text outside them (a ``<div>`` of text broken by ``<br><br>``) as paragraphs, in order."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(path.read_bytes(), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(HTML_DROP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    loose: list[str] = []  # text outside the block elements; BREAK marks a <br>

    def flush() -> None:
        for part in re.split(f"{BREAK}\\s*{BREAK}", "".join(loose)):
            text = " ".join(part.replace(BREAK, " ").split())
            if text:
                lines.append(text)
        loose.clear()

    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name in HTML_BLOCKS:
                flush()
                if not node.find(HTML_BLOCKS):
                    lines.append(_html_block(node))
            elif node.name == "br":
                loose.append(BREAK)
            elif node.name not in HTML_INLINE:
                flush()
        elif type(node) is NavigableString and not node.find_parent(HTML_BLOCKS):
            loose.append(str(node))
    flush()
    lines = [line for line in lines if line]
    return Extracted(pages=["\n\n".join(lines)], format="html", structured=True, title=title)


BREAK = "\x00"
# Elements that sit inside running text; any other element (div, section, table …) ends it.
HTML_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time u var wbr".split()
)


def _html_block(tag) -> str:
    text = " ".join(tag.get_text(" ", strip=True).split())
    if not text:
        return ""
    if tag.name[0] == "h" and tag.name[1:].isdigit():
        return "#" * int(tag.name[1:]) + " " + text
    if tag.name == "li":
        return "• " + text
    if tag.name == "tr":
        return " | ".join(c.get_text(" ", strip=True) for c in tag.find_all(["td", "th"]))
    return text
