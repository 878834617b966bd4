"""The content catalog: markdown files with YAML front matter, validated and parsed once into typed objects.

types (the objects) · frontmatter (splitting a file, YAML with lines) · schemas (every field's rule) ·
rules (rules across fields) · markdown (the renderer) · loader (the folder to a Catalog) · cache.
"""

from .cache import content_fingerprint, load_catalog
from .loader import scan
from .markdown import make_markdown, render_user_markdown, slugify
from .types import (
    CATEGORIES,
    CATEGORY_LABELS,
    DIFFICULTIES,
    QUESTION_SECTIONS,
    Catalog,
    ContentError,
    ContentProblem,
    Guide,
    Heading,
    Question,
    Source,
    Track,
    TrackItem,
)

__all__ = [
    "CATEGORIES", "CATEGORY_LABELS", "DIFFICULTIES", "QUESTION_SECTIONS", "Catalog", "ContentError",
    "ContentProblem", "Guide", "Heading", "Question", "Source", "Track", "TrackItem", "content_fingerprint",
    "load_catalog", "make_markdown", "render_user_markdown", "scan", "slugify",
]
