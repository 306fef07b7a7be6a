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
    """Paragraphs and tables in reading order, with the text of content controls and text
    boxes (once each); heading styles become '#' headings. Footnote and endnote marks stay in
    the text as ``[n]`` and their notes follow the body under their own heading."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadInput(f"not a valid .docx: the Word file is damaged ({exc})") from None
    pages: list[list[str]] = [[]]
    _docx_blocks(document.element.body, pages)
    for kind, heading in (("footnote", "Footnotes"), ("endnote", "Endnotes")):
        notes = _docx_notes(path, kind)
        if notes:
            pages[-1] += [f"## {heading}", *notes]
    title = (document.core_properties.title or "").strip() or None
    texts = ["\n\n".join(lines) for lines in pages if lines] or [""]
    return Extracted(pages=texts, format="docx", structured=True, title=title)


# Wrappers whose content is read as if it stood in their place: content controls, custom XML,
# tracked insertions and moves.
_DOCX_WRAPPERS = {f"{W_NS}{t}" for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}


def _docx_blocks(parent, pages: list[list[str]]) -> None:
    """The paragraphs and tables under ``parent`` (the body, a content control, a text box)."""
    for child in parent.iterchildren():
        if child.tag == f"{W_NS}sdt" and child.find(f"{W_NS}sdtPr/{W_NS}showingPlcHdr") is not None:
            continue  # an unfilled control: "Click or tap here to enter text."
        if child.tag in _DOCX_WRAPPERS:
            _docx_blocks(child, pages)
        elif child.tag == f"{W_NS}p":
            if child.findall(f".//{W_NS}lastRenderedPageBreak") or child.findall(
                f".//{W_NS}br[@{W_NS}type='page']"
            ):
                pages.append([])
            text = _docx_text(child).strip()
            if text:
                pages[-1].append(_docx_line(child, text))
            for box in _own(child, f"{W_NS}txbxContent"):  # a text box anchored here
                _docx_blocks(box, pages)
        elif child.tag == f"{W_NS}tbl":
            for row in child.iter(f"{W_NS}tr"):
                cells = [
                    " ".join(
                        " ".join(
                            [_docx_text(cell), *map(_docx_text, _own(cell, f"{W_NS}txbxContent"))]
                        ).split()
                    )
                    for cell in row.iter(f"{W_NS}tc")
                ]
                line = " | ".join(c for c in cells if c)
                if line:
                    pages[-1].append(line)


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _own(element, tag: str):
    """``tag`` elements under ``element`` that are not inside a text box or a compatibility
    fallback below it (Word writes each text box twice: as a shape and as its fallback)."""
    for found in element.iter(tag):
        node = found.getparent()
        while node is not None and node is not element:
            if node.tag in (_MC_FALLBACK, f"{W_NS}txbxContent"):
                break
            node = node.getparent()
        else:
            yield found


def _docx_text(element) -> str:
    """An element's own text, with ``[n]`` where a footnote or endnote is marked; tabs, line
    breaks and the ends of paragraphs within it are spaces."""
    out = []
    for node in _own(element, None):
        if node.tag == f"{W_NS}t":
            out.append(node.text or "")
        elif node.tag in (f"{W_NS}footnoteReference", f"{W_NS}endnoteReference"):
            out.append(f"[{node.get(f'{W_NS}id')}]")
        elif node.tag in _DOCX_SPACES or (node.tag == f"{W_NS}p" and node is not element):
            out.append(" ")
    return "".join(out)


_DOCX_SPACES = {f"{W_NS}tab", f"{W_NS}br", f"{W_NS}cr"}


def _docx_notes(path: Path, kind: str) -> list[str]:
    """``[n] text`` for each footnote (or endnote) of the file, Word's separators left out."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read(f"word/{kind}s.xml")
    except KeyError:
        return []
    notes = []
    for note in etree.fromstring(xml).iter(f"{W_NS}{kind}"):
        if note.get(f"{W_NS}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(_docx_text(note).split())
        if text:
            notes.append(f"[{note.get(f'{W_NS}id')}] {text}")
    return notes


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

    # Depth first, in document order; None on the stack marks the end of an element that
    # ends running text, so that text after a nested </div> is a paragraph of its own.
    stack: list = list(reversed(list(root.children)))
    while stack:
        node = stack.pop()
        if node is None:
            flush()
        elif isinstance(node, Tag):
            if node.name == "br":
                loose.append(BREAK)
            elif node.name in HTML_BLOCKS and not node.find(HTML_BLOCKS):
                flush()
                lines.append(_html_block(node))
            else:  # inline text, or a container (a div, or a list item holding a list)
                inline = node.name in HTML_INLINE
                if not inline:
                    flush()
                    stack.append(None)
                stack.extend(reversed(list(node.children)))
        elif type(node) is NavigableString:
            loose.append(str(node))
    flush()
    lines = [line for line in lines if line]
    return Extracted(pages=["\n\n".join(lines)], format="html", structured=True, title=title)


BREAK = "\x00"
# Elements that sit inside running text; any other element (div, section, table …) ends it.
HTML_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i img ins kbd label mark q s samp "
    "small span strong sub sup time tt u var wbr".split()
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
