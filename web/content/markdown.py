"""The one markdown renderer, and what the loader reads off a parsed body: headings, links, plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .types import Heading

LINK_RE = re.compile(r"^/(guides|questions)/([^/#?]+)")
# A paragraph that opens with a bold lead-in ending in a full stop: "**Top risk.** The vendor ..."
LEAD_RE = re.compile(r"^\*\*([^*\n]+?)\.\*\*\s*")


def slugify(text: str) -> str:
    """Heading text to a stable URL anchor."""
    text = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_-]+", "-", text)


def make_markdown() -> MarkdownIt:
    """The one markdown renderer: CommonMark, tables, front matter, heading anchors, raw HTML off."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(front_matter_plugin)
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify, permalink=False)
    return md


MD = make_markdown()


def render_user_markdown(text: str) -> str:
    """Render text a user typed: same renderer, raw HTML shown as text."""
    return MD.render(text)


def render_tokens(tokens: list[Token]) -> str:
    """HTML of already-parsed tokens (a slice of a document needs no second parse)."""
    return MD.renderer.render(tokens, MD.options, {})


@dataclass
class Rendered:
    """A parsed body and what was read off it."""

    tokens: list[Token]
    html: str
    toc: tuple[Heading, ...]
    text: str
    links: list[tuple[int, str, str]]  # (line in file, kind, target)
    sections: list[tuple[str, int, int]]  # (## heading text, token index, file line)


def render(body: str, *, first_line: int, html: bool = True) -> Rendered:
    """Parse a markdown body once, collecting headings, links and plain text (and the HTML if asked)."""
    tokens = MD.parse(body)
    toc: list[Heading] = []
    links: list[tuple[int, str, str]] = []
    words: list[str] = []
    sections: list[tuple[str, int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            inline = tokens[i + 1]
            toc.append(Heading(int(tok.tag[1]), inline.content, str(tok.attrGet("id") or slugify(inline.content))))
            if tok.tag == "h2":
                sections.append((inline.content.strip(), i, line_of(tok, first_line)))
        if tok.type == "inline":
            words.append(tok.content)
            for child in tok.children or ():
                if child.type == "link_open":
                    match = LINK_RE.match(str(child.attrGet("href") or ""))
                    if match:
                        links.append((line_of(tok, first_line), match.group(1), match.group(2)))
        elif tok.type in ("fence", "code_block"):
            words.append(tok.content)
    rendered_html = render_tokens(tokens) if html else ""
    return Rendered(tokens, rendered_html, tuple(toc), "\n".join(words), links, sections)


def line_of(token: Token, first_line: int) -> int:
    """Line in the file of a block token, given the file line where the body starts."""
    return first_line + (token.map[0] if token.map else 0)


def lead_paragraphs(tokens: list[Token], first_line: int) -> list[tuple[str, str, int]]:
    """Paragraphs that open with a bold lead-in: (lead without its full stop, paragraph source, file line)."""
    found = []
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and i + 1 < len(tokens):
            match = LEAD_RE.match(tokens[i + 1].content)
            if match:
                found.append((match.group(1).strip(), tokens[i + 1].content, line_of(tok, first_line)))
    return found


def claims(tokens: list[Token], first_line: int) -> list[tuple[list[Token], int]]:
    """Every unit of prose that can state a claim, with its line: a paragraph, a list item's text, or a
    whole table row (a row's claim and its source may sit in different cells). Headings are not claims."""
    out: list[tuple[list[Token], int]] = []
    heading = False
    row: list[Token] | None = None
    line = first_line
    for tok in tokens:
        if tok.map:
            line = line_of(tok, first_line)
        if tok.type == "heading_open":
            heading = True
        elif tok.type == "heading_close":
            heading = False
        elif tok.type == "tr_open":
            row = []
            out.append((row, line))
        elif tok.type == "tr_close":
            row = None
        elif tok.type == "inline" and not heading:
            if row is not None:
                row.append(tok)
            else:
                out.append(([tok], line))
    return out


def plain(markdown_text: str) -> str:
    """Markdown source to plain text (drop emphasis and list markers) for scoring."""
    text = re.sub(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+", "", markdown_text, flags=re.M)
    text = re.sub(r"[*_`]+", "", text)
    return text.strip()
