"""Post text: validation, and HTML that is escaped first and linkified safely."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from app.errors import InvalidInput

# Only http(s) links become anchors; a trailing punctuation mark stays outside the link.
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)


def clean_text(text: str, max_chars: int, noun: str = "Posts") -> str:
    """Normalise line endings and check the length in code points (emoji count once).

    noun names what the text is ("Posts", "Comments") in the error messages.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        raise InvalidInput(f"{noun} cannot contain NUL characters.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"{noun} can be at most {max_chars} characters; this one has {len(text)}."
        )
    return text


def text_to_html(text: str) -> Markup:
    """Escaped text with http(s) URLs turned into links that open safely."""
    parts: list[str] = []
    position = 0
    for match in _URL_RE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        url = match.group(0)
        parts.append(
            Markup(
                '<a href="{0}" rel="nofollow noopener noreferrer ugc" target="_blank">{0}</a>'
            ).format(url)
        )
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
