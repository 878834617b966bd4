"""Templates are given what they show: never the whole catalog or the settings object."""

import re

from web.settings import REPO_ROOT

TEMPLATES = REPO_ROOT / "web" / "templates"
# Jinja expressions and statements: {{ ... }} and {% ... %}.
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def test_no_template_reaches_for_the_catalog_or_the_settings():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for block in JINJA.findall(path.read_text()):
            for name in ("catalog", "settings"):
                if re.search(rf"(?<![\w.]){name}\b", block):
                    found.append(f"{path.relative_to(TEMPLATES)}: {block[:80]}")
    assert not found, "\n".join(found)


def test_no_page_is_rendered_with_the_catalog_or_the_settings(app, client, candidate, catalog, monkeypatch):
    from web.ui import rendering

    seen: list[set[str]] = []
    real = rendering.render

    def spy(request, name, context=None, **kw):
        seen.append(set(context or {}))
        return real(request, name, context, **kw)

    for module in ("home", "answers", "saved", "mock", "questions", "progress"):
        monkeypatch.setattr(f"web.routes.{module}.render", spy)
    for path in ("/", "/answers", "/saved", "/mock", "/questions", f"/questions/{next(iter(catalog.questions))}", "/progress"):
        assert client.get(path).status_code == 200, path
    assert seen and all(not ({"catalog", "settings"} & keys) for keys in seen)
