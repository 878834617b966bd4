"""One place that renders templates: adds the user, CSRF token and helpers to every page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from scoring.rubric import ANCHORS, DIMENSIONS, anchor_text
from web.content import CATEGORIES, CATEGORY_LABELS, DIFFICULTIES
from web.ui.feedback import all_evidence, highlight
from web.infra.security import CSRF_COOKIE, expected_csrf, new_token
from web.settings import REPO_ROOT

READ_METHODS = frozenset({"GET", "HEAD"})  # requests whose database work is reads only

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


def root_path(request: Request) -> str:
    """The path the app is mounted under ("" at the site root, "/prep" behind a proxy that adds it)."""
    return request.scope.get("app_root_path", request.scope.get("root_path", ""))


def site_path(request: Request, name: str, /, *, query: dict | None = None, fragment: str = "", **params: Any) -> str:
    """The path of the route called `name`, under the app's root path, with an optional query and #fragment.

    Query values that are None or '' are left out; '/' stays readable in values (`?next=/questions/x`).
    """
    path = root_path(request) + _route_path(request.app, name, params)
    if query:
        kept = {key: value for key, value in query.items() if value not in (None, "")}
        if kept:
            path += "?" + urlencode(kept, safe="/")
    return path + (f"#{fragment}" if fragment else "")


def _route_path(app, name: str, params: dict[str, Any]) -> str:
    """app.url_path_for, remembered per app: routes are fixed once the app is built, and the lookup
    walks every router (raising and catching NoMatchFound on each miss), for every link on a page."""
    cache: dict = app.state.__dict__.setdefault("_route_paths", {})
    key = (name, tuple(sorted((k, str(v)) for k, v in params.items())))
    found = cache.get(key)
    if found is None:
        found = str(app.url_path_for(name, **params))
        if len(cache) < 20_000:  # bounded: path parameters come from the catalog and the database
            cache[key] = found
    return found


@pass_context
def _url(context, name: str, /, *, query: dict | None = None, fragment: str = "", **params: Any) -> str:
    """Templates' url(name, query={...}, fragment='...', **path_params): every internal link, form action and
    static file is built from a route name, e.g. url('question', question_id=q.id),
    url('questions', query={'category': c}), url('static', path='site.css')."""
    return site_path(context["request"], name, query=query, fragment=fragment, **params)


@pass_context
def _is_current(context, name: str, /, *, exact: bool = False, **params: Any) -> bool:
    """Whether the page shown is the route `name` (exact) or below it: marks the current item of the menu."""
    request = context["request"]
    here = request.scope["path"]
    root = root_path(request)
    if root and (here == root or here.startswith(root + "/")):
        here = here[len(root):] or "/"  # servers that put the root path in front of the path (the ASGI spec)
    target = _route_path(request.app, name, params)
    return here == target if exact else here.startswith(target)


_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')


@pass_context
def _site_links(context, html: str) -> Markup:
    """Rendered markdown (guides, questions, notes) with its root-relative links moved under the app's root path.

    Authors link pages as `/guides/<slug>`: the markdown is rendered to HTML once, when the catalog loads
    (web/content/), before any request says where the app is mounted, so the root path is added here.
    """
    root = root_path(context["request"])
    return Markup(_ROOT_RELATIVE.sub(lambda m: m.group(1) + root + m.group(2), html) if root else html)


def _format_date(moment) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else ""


def _format_duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@pass_context
def _question_card(context, question) -> Markup:
    """question_card(q): a question's card in a list, the same for every reader (content is immutable)."""
    return shared_fragment(context["request"], "_question_card.html", (question.id, question.version), {"q": question})


def shared_fragment(request: Request, name: str, key: object, context: dict[str, Any]) -> Markup:
    """A part of a page that is the same for every reader (a guide's text and sidebar), rendered once
    per key and root path and reused; the rest of the page (navigation, the reader's own marks) is
    rendered per request. `key` must change whenever `context` would: the catalog is immutable."""
    cache: dict = request.app.state.__dict__.setdefault("_fragments", {})
    full_key = (name, key, root_path(request))
    found = cache.get(full_key)
    if found is None:
        found = Markup(request.app.state.templates.get_template(name).render({"request": request, **context}))
        if len(cache) < 2_000:  # bounded: keys come from the catalog and a few filters
            cache[full_key] = found
    return found


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 word', '0 words', '2,400 words': a number with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


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
    # Templates ship with the code and change only with a restart, like the Python modules; checking
    # every template file's mtime on every render cost about 7% of a logged-in page.
    env.auto_reload = False
    env.globals.update(
        DIMENSIONS=DIMENSIONS,
        DIMENSION_LABELS=DIMENSION_LABELS,
        ANCHORS=ANCHORS,
        anchor_text=anchor_text,
        CATEGORIES=CATEGORIES,
        CATEGORY_LABELS=CATEGORY_LABELS,
        DIFFICULTIES=DIFFICULTIES,
        query=_query,
        url=_url,
        is_current=_is_current,
        highlight=highlight,
        all_evidence=all_evidence,
    )
    env.globals["question_card"] = _question_card
    env.filters["date"] = _format_date
    env.filters["duration"] = _format_duration
    env.filters["waited"] = _format_waited
    env.filters["counted"] = counted
    env.filters["site_links"] = _site_links
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
        # The few settings forms need; templates never see the settings object (it holds the LLM key).
        "max_answer_chars": request.app.state.settings.max_answer_chars,
        "audio_max_seconds": request.app.state.settings.audio_max_seconds,
        "keep_audio": request.app.state.settings.keep_audio,
    }
    ctx.update(context or {})
    response = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    db = getattr(request.state, "db", None)
    if request.method in READ_METHODS and db is not None and db.in_transaction():
        # The page is rendered, so its reads are over: end them here, in the route's thread, rather
        # than in a second trip to the thread pool after the route returns.
        db.commit()
    if visitor_token is not None and visitor_token.value is not None:
        settings = request.app.state.settings
        response.set_cookie(CSRF_COOKIE, visitor_token.value, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/")
    return response
