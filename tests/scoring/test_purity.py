"""The scoring package is a pure library: no web or database imports, no file reading, no network."""

from __future__ import annotations

import ast
from pathlib import Path

SCORING = Path(__file__).resolve().parents[2] / "scoring"
FORBIDDEN_IMPORTS = ("web", "fastapi", "starlette", "sqlalchemy", "socket", "urllib", "http", "requests", "httpx")
FORBIDDEN_CALLS = ("open", "read_text", "read_bytes")
# The LLM scorer talks to a model server by design; it is the one module allowed the network.
NETWORK_ALLOWED = {"llm.py"}
NETWORK_MODULES = ("socket", "urllib", "http", "requests", "httpx")


def problems(source: str, filename: str) -> list[str]:
    """Forbidden imports and calls in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            if root in FORBIDDEN_IMPORTS and not (filename in NETWORK_ALLOWED and root in NETWORK_MODULES):
                found.append(f"{filename}:{node.lineno}: imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in FORBIDDEN_CALLS:
                found.append(f"{filename}:{node.lineno}: calls {called}()")
    return found


def test_the_checker_catches_what_it_should():
    bad = "import web.app\nfrom sqlalchemy import select\nopen('x')\nfrom pathlib import Path\nPath('x').read_text()\n"
    assert len(problems(bad, "bad.py")) == 4
    assert problems("from scoring.text import tokenize\nx = len('open')\n", "good.py") == []


def test_every_scoring_module_is_pure():
    modules = sorted(SCORING.glob("*.py"))
    assert len(modules) >= 8  # the checker really saw the package
    found = [p for path in modules for p in problems(path.read_text(encoding="utf-8"), path.name)]
    assert found == []
