"""One place that renders templates: adds the user, CSRF token and helpers to every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from scoring.rubric import ANCHORS, DIMENSIONS, anchor_text
from web.content import CATEGORIES, CATEGORY_LABELS, DIFFICULTIES
from web.ui.feedback import all_evidence, highlight
from web.infra.security import CSRF_COOKIE, expected_csrf, new_token
from web.settings import REPO_ROOT

TEMPLATE_DIR = REPO_ROOT / "web" / "templates"
DIMENSION_LABELS = {d: d.capitalize() for d in DIMENSIONS}


def _query(request: Request, **changes: Any) -> str:
    """The current query string with some parameters changed (None or '' removes them)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


def _format_date(moment) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else ""


def _format_duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _card_renderer(env):
    """question_card(q): a question's list card, rendered once per question and reused (content is immutable)."""
    template = env.get_template("_question_card.html")
    cache: dict[tuple[str, str], Markup] = {}

    def question_card(question) -> Markup:
        key = (question.id, question.version)
        if key not in cache:
            cache[key] = Markup(template.render(q=question))
        return cache[key]

    return question_card


def _format_waited(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def make_templates() -> Jinja2Templates:
    """The Jinja environment, built once per app (autoescape on)."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = templates.env
    env.globals.update(
        DIMENSIONS=DIMENSIONS,
        DIMENSION_LABELS=DIMENSION_LABELS,
        ANCHORS=ANCHORS,
        anchor_text=anchor_text,
        CATEGORIES=CATEGORIES,
        CATEGORY_LABELS=CATEGORY_LABELS,
        DIFFICULTIES=DIFFICULTIES,
        query=_query,
        highlight=highlight,
        all_evidence=all_evidence,
    )
    env.globals["question_card"] = _card_renderer(env)
    env.filters["date"] = _format_date
    env.filters["duration"] = _format_duration
    env.filters["waited"] = _format_waited
    return templates


class _VisitorToken:
    """A CSRF token for a visitor without a session, made only if a page prints it (a form)."""

    def __init__(self) -> None:
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = new_token()
        return self.value

    __html__ = __str__


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    """Render a page with the common context; gives anonymous visitors a CSRF cookie when a form needs one."""
    csrf = expected_csrf(request)
    visitor_token = _VisitorToken() if csrf is None else None
    ctx = {
        "request": request,
        "user": getattr(request.state, "viewer", None),
        "unread": getattr(request.state, "unread", 0),
        "csrf_token": csrf if csrf is not None else visitor_token,
        "settings": request.app.state.settings,
    }
    ctx.update(context or {})
    response = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if visitor_token is not None and visitor_token.value is not None:
        settings = request.app.state.settings
        response.set_cookie(CSRF_COOKIE, visitor_token.value, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/")
    return response
