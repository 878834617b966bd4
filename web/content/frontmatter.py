"""Split a content file into YAML front matter and markdown body, keeping the line of every key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from .types import ContentProblem

# libyaml's C parser when available: the pure-Python one dominates catalog load time.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses a key written twice in one mapping (plain YAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConstructorError(
                    None, None,
                    f"duplicate key '{key}' (first written on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 2  # 0-based, and the opening '---' is the file's line 1
        return super().construct_mapping(node, deep=deep)


def _key_lines(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    """Record the line (0-based, in the YAML text) of every key path under a composed node."""
    lines.setdefault(path, node.start_mark.line)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines[child] = key_node.start_mark.line
            _key_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _key_lines(item, f"{path}[{i}]", lines)


@dataclass
class SourceFile:
    """One content file split into front matter and body, with line bookkeeping."""

    path: Path
    meta: dict[str, Any]
    front: str  # the YAML text, re-read for line numbers only when a problem is reported
    body: str
    body_line: int  # line of the file where the body starts
    digest: str
    problems: list[ContentProblem]

    @cached_property
    def lines(self) -> dict[str, int]:
        """Key path -> line in the file (computed lazily: most files have no problem)."""
        found: dict[str, int] = {}
        _key_lines(yaml.compose(self.front, Loader=_BASE_LOADER), "", found)
        return {k: v + 2 for k, v in found.items()}  # 0-based, and the opening '---' is line 1

    def line(self, key: str) -> int:
        """Line of a front-matter key path like `rubric.risk[2].phrases` (or its nearest parent), else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            cut = max(key.rfind("."), key.rfind("["))
            key = key[:cut] if cut > 0 else ""
        return 1

    def problem(self, where: str | int, reason: str) -> None:
        """Record a problem at a front-matter key path or an absolute line."""
        line = where if isinstance(where, int) else self.line(where)
        self.problems.append(ContentProblem(self.path, line, reason))


def read(path: Path, problems: list[ContentProblem]) -> SourceFile | None:
    """Split a file into front matter and body; None (with a problem recorded) when the front matter is unusable."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(path, 1, f"not UTF-8 text ({exc.reason})"))
        return None
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        problems.append(ContentProblem(path, 1, "missing front matter (the file must start with a '---' line)"))
        return None
    end = text.find("\n---", 3)
    if end == -1:
        problems.append(ContentProblem(path, 1, "front matter is not closed by a '---' line"))
        return None
    front = text[4:end + 1]
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start != -1 else ""
    try:
        meta = yaml.load(front, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problems.append(ContentProblem(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    if not isinstance(meta, dict):
        problems.append(ContentProblem(path, 2, "front matter must be a mapping of fields"))
        return None
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return SourceFile(path, meta, front, body, front.count("\n") + 3, digest, problems)
