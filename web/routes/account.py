"""Sign up, log in, log out and change password."""

from __future__ import annotations

import asyncio
import functools
import logging
import smtplib
from urllib.parse import urlparse

import anyio

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse

from web.db import utcnow
from web.routes.urls import path_for, see_other
from web.routes.deps import SESSION_COOKIE, CatalogDep, CsrfDep, CurrentUser, IdPath, LoginDep, ReadSessions, SessionDep, SettingsDep, WriteSessions, current_viewer
from web.ui.rendering import render
from web.infra.mail import mail_configured, send_mail
from web.infra.security import HashingBusy, run_hashing, verify_password
from web.services import account_data
from web.services import email_confirmation as confirm_service
from web.services import sessions as session_service
from web.services import tokens as token_service
from web.services import password_reset as reset_service
from web.services import users as user_service

router = APIRouter(dependencies=[Depends(current_viewer)])
log = logging.getLogger("tpmprep")


# Sign-up and login are the pages anyone can send by the hundred without an account. Their thread
# work (the forms, the checks around argon2, the pages they answer with) runs on a few threads of
# its own, so a flood queues here as coroutines instead of taking the request thread pool that
# every candidate's page and submit needs.
ACCOUNT_THREADS = 4


async def in_account_thread(request: Request, fn, /, *args, **kwargs):
    """Run `fn` on the sign-up and login pages' own threads."""
    loop = asyncio.get_running_loop()
    owner, limiter = getattr(request.app.state, "account_threads", (None, None))
    if owner is not loop:  # a limiter belongs to one event loop (tests start several)
        limiter = anyio.CapacityLimiter(ACCOUNT_THREADS)
        request.app.state.account_threads = (loop, limiter)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter)


def _safe_next(request: Request, target: str | None) -> str:
    """Only same-site paths are allowed as a post-login destination (no open redirects)."""
    parsed = urlparse(target or "")
    if not target or parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return path_for(request, "home")
    return target


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _logged_in_response(request: Request, db, user, settings, target: str) -> RedirectResponse:
    """End any current session, start a fresh one (new id at login) and redirect."""
    session_service.end_session(db=db, cookie=request.cookies.get(SESSION_COOKIE))
    cookie, _row = session_service.start_session(db=db, user=user, settings=settings)
    response = RedirectResponse(_safe_next(request, target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
    )
    return response


@router.get("/signup", name="signup")
async def signup_form(request: Request, next: str = ""):
    """The sign-up form."""
    context = {"email": "", "errors": {}, "next": _safe_next(request, next) if next else ""}
    return await in_account_thread(request, render, request, "account/signup.html", context)


def _busy(request: Request, template: str, context: dict):
    """Every password check is taken: say so, and when to retry, rather than keep the person waiting."""
    msg = "The site is very busy right now. Try again in a few seconds."
    response = render(request, template, context | {"error": msg, "errors": {"form": msg}}, status_code=503)
    response.headers["Retry-After"] = "5"
    return response


# Sign-up and login are `async`: their one slow step, argon2, runs on the hashing threads
# (web.infra.security.run_hashing) while the request waits as a coroutine, and their database
# work runs on the account threads above; so a flood of them never starves other pages of threads.
@router.post("/signup", dependencies=[CsrfDep])
async def signup(request: Request, db: SessionDep, read_db: ReadSessions, settings: SettingsDep, mail: BackgroundTasks,
                 email: str = Form(""), password: str = Form(""), next: str = Form("")):
    """Create a candidate account (a few per address and hour): logged in at once on a site without email,
    else confirmed by a link, with the same answer for a new and a registered address."""
    ip = _client_ip(request)
    context = {"email": email, "errors": {}, "next": _safe_next(request, next)}
    if await in_account_thread(request, _signup_limited, read_db, ip, settings):
        msg = "Too many accounts were created from your network in the last hour. Try again later."
        response = await in_account_thread(request, render, request, "account/signup.html", context | {"errors": {"form": msg}}, status_code=429)
        response.headers["Retry-After"] = "3600"
        return response
    try:
        prepared = await run_hashing("signup", user_service.prepare_account, email=email, password=password, settings=settings)
    except user_service.AccountError as exc:
        return await in_account_thread(request, render, request, "account/signup.html", context | {"errors": {exc.field or "form": str(exc)}},
                                       status_code=422)
    except HashingBusy:
        return await in_account_thread(request, _busy, request, "account/signup.html", context)
    if mail_configured(settings):
        return await in_account_thread(request, _sign_up_by_email, request, db, settings, mail, prepared, ip)
    return await in_account_thread(request, _create_and_log_in, request, db, settings, prepared, ip, context, next)


def _sign_up_by_email(request: Request, db, settings, mail: BackgroundTasks, prepared, ip: str):
    """Create an unconfirmed account and email its link, or tell a registered address someone tried:
    the page is the same either way, so it reveals no accounts."""
    email = prepared[0]
    user_service.record_signup(db=db, ip=ip)
    if user_service.get_by_email(db=db, email=email) is None:
        user = user_service.create_user(db=db, email=email, settings=settings, prepared=prepared, confirmed=False)
        subject, body = confirm_service.welcome_email(confirm_service.new_link(db=db, user=user, settings=settings))
    else:
        subject, body = confirm_service.already_registered_email(settings)
    # Sent after the response, so after the commit (SMTP may take seconds, and the link must exist).
    mail.add_task(_send_or_log, settings, email, subject, body)
    return render(request, "account/check_email.html", {"email": email, "hours": confirm_service.LINK_HOURS})


def _send_or_log(settings, to: str, subject: str, body: str) -> None:
    """Send an account email; a failure is logged, not shown (the page must not differ), and logging in resends."""
    try:
        send_mail(settings=settings, to=to, subject=subject, body=body)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("account email could not be sent: %s", type(exc).__name__)


@router.get("/confirm/{token}", name="confirm_email")
def confirm_form(request: Request, db: SessionDep, token: str):
    """The confirmation page: a button, because opening a link (or a mail scanner fetching it) must change nothing."""
    valid = confirm_service.pending(db=db, token=token) is not None
    return render(request, "account/confirm.html", {"valid": valid, "token": token}, status_code=200 if valid else 410)


@router.post("/confirm/{token}", dependencies=[CsrfDep])
def confirm(request: Request, db: SessionDep, settings: SettingsDep, token: str):
    """Confirm the account and log in."""
    user = confirm_service.confirm(db=db, token=token)
    if user is None:
        return render(request, "account/confirm.html", {"valid": False, "token": token}, status_code=410)
    return _logged_in_response(request, db, user, settings, path_for(request, "questions"))


def _signup_limited(read_db, ip: str, settings) -> bool:
    with read_db() as reader:
        return user_service.signup_limited(db=reader, ip=ip, settings=settings)


def _create_and_log_in(request: Request, db, settings, prepared, ip: str, context: dict, next: str):
    try:
        user = user_service.create_user(db=db, email=prepared[0], settings=settings, prepared=prepared)
    except user_service.AccountError as exc:
        return render(request, "account/signup.html", context | {"errors": {exc.field or "form": str(exc)}}, status_code=422)
    user_service.record_signup(db=db, ip=ip)
    return _logged_in_response(request, db, user, settings, next or path_for(request, "questions"))


@router.get("/login", name="login")
async def login_form(request: Request, next: str = ""):
    """The login form."""
    context = {"email": "", "error": None, "next": _safe_next(request, next)}
    return await in_account_thread(request, render, request, "account/login.html", context)


@router.post("/login", dependencies=[CsrfDep])
async def login(request: Request, db: SessionDep, read_db: ReadSessions, settings: SettingsDep, mail: BackgroundTasks, email: str = Form(""),
                password: str = Form(""), next: str = Form("")):
    """Check credentials (with limits) and start a new session."""
    ip = _client_ip(request)
    context = {"email": email, "next": _safe_next(request, next)}
    try:
        user = await run_hashing("login", user_service.check_credentials, read_db=read_db, email=email, password=password, ip=ip,
                                 settings=settings)
    except user_service.LoginLimited as limited:
        wait = f"{-(-limited.seconds // 60)} minutes" if limited.seconds >= 90 else f"{limited.seconds} seconds"
        msg = f"Too many failed attempts. Wait {wait} and try again."
        response = await in_account_thread(request, render, request, "account/login.html", context | {"error": msg}, status_code=429)
        response.headers["Retry-After"] = str(limited.seconds)
        return response
    except HashingBusy:
        return await in_account_thread(request, _busy, request, "account/login.html", context)
    return await in_account_thread(request, _login_outcome, request, db, settings, mail, user, email, ip, context, next)


def _login_outcome(request: Request, db, settings, mail: BackgroundTasks, user, email: str, ip: str, context: dict, next: str):
    user_service.record_login(db=db, email=email, ip=ip, user=user)
    if user is None:
        # One message for unknown email and wrong password, so accounts cannot be discovered.
        return render(request, "account/login.html", context | {"error": "Email or password is not right."}, status_code=401)
    user = db.merge(user)
    if user.email_confirmed_at is None:
        if not mail_configured(settings):  # email was turned off since sign-up: nothing could ever confirm it
            user.email_confirmed_at = utcnow()
        else:
            if not confirm_service.recently_sent(db=db, user=user):
                subject, body = confirm_service.welcome_email(confirm_service.new_link(db=db, user=user, settings=settings))
                mail.add_task(_send_or_log, settings, user.email, subject, body)
            msg = (f"Confirm your email first: we have sent a link to {user.email}. "
                   "Open it to log in (check your spam folder if it has not arrived).")
            return render(request, "account/login.html", context | {"error": msg}, status_code=403)
    return _logged_in_response(request, db, user, settings, next)


@router.post("/logout", name="logout", dependencies=[CsrfDep])
def logout(request: Request, db: SessionDep):
    """Delete the session row and the cookie."""
    session_service.end_session(db=db, cookie=request.cookies.get(SESSION_COOKIE))
    response = see_other(request, "home")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password", name="password")
def password_form(request: Request, user: CurrentUser):
    """The change-password form."""
    return render(request, "account/password.html", {"errors": {}, "done": False})


@router.post("/account/password", dependencies=[CsrfDep])
def change_password(
    request: Request,
    user: CurrentUser,
    login: LoginDep,
    db: SessionDep,
    settings: SettingsDep,
    current_password: str = Form(""),
    new_password: str = Form(""),
    confirm_password: str = Form(""),
):
    """Change the password; other sessions of this user are ended."""
    errors: dict[str, str] = {}
    if new_password != confirm_password:
        errors["confirm_password"] = "The two new passwords do not match."
    else:
        try:
            user_service.change_password(
                db=db, user=user, current=current_password, new=new_password, keep_session_id=login.session_id if login else None, settings=settings
            )
        except user_service.AccountError as exc:
            errors[exc.field or "form"] = str(exc)
    if errors:
        return render(request, "account/password.html", {"errors": errors, "done": False}, status_code=422)
    return render(request, "account/password.html", {"errors": {}, "done": True})


@router.get("/account", name="account")
def account(request: Request, user: CurrentUser):
    """Account settings: password, your data, deleting the account."""
    return render(request, "account/index.html", {})


@router.get("/account/export.json", name="export_json")
def export_json(user: CurrentUser, db: SessionDep, catalog: CatalogDep):
    """Download everything as JSON."""
    data = account_data.export(db=db, user=user, catalog=catalog)
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="tpmprep-export.json"'})


@router.get("/account/export.md", name="export_md")
def export_md(user: CurrentUser, db: SessionDep, catalog: CatalogDep):
    """Download everything as Markdown."""
    text = account_data.to_markdown(account_data.export(db=db, user=user, catalog=catalog))
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="tpmprep-export.md"'})


@router.get("/account/delete", name="delete_account")
def delete_form(request: Request, user: CurrentUser):
    """Ask for the password before deleting the account."""
    return render(request, "account/delete.html", {"error": None})


@router.post("/account/delete", dependencies=[CsrfDep])
def delete(request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep, password: str = Form("")):
    """Delete the account and its personal data after confirming the password."""
    if not verify_password(password, user.password_hash, cheap=settings.password_hash_cheap):
        return render(request, "account/delete.html", {"error": "That password is not right; nothing was deleted."}, status_code=422)
    account_data.delete_account(db=db, user=user)
    response = see_other(request, "home", query={"deleted": 1})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _browser_only(request: Request) -> None:
    # A leaked API token must not be able to mint more tokens or revoke its owner's others.
    if getattr(request.state, "via_token", False):
        raise HTTPException(403, "Manage API tokens from a signed-in browser, not with a token.")


# After creating a token the browser is redirected (so a reload cannot create another), and the
# one clear-text copy rides along in this short-lived cookie, read and deleted by the next page view.
NEW_TOKEN_COOKIE = "tpmprep_new_token"
TOKENS_PATH = "/account/tokens"


def _tokens_page(request: Request, db, user, *, created: str | None = None, name: str = "", error: str | None = None, status_code: int = 200):
    tokens = token_service.list_tokens(db=db, user_id=user.id)
    context = {"tokens": tokens, "created": created, "name": name, "error": error, "limit": token_service.MAX_TOKENS_PER_USER,
               "expiry_days": token_service.EXPIRY_DAYS}
    return render(request, "account/tokens.html", context, status_code=status_code)


@router.get(TOKENS_PATH, name="api_tokens")
def api_tokens(request: Request, user: CurrentUser, db: SessionDep):
    """Your personal API tokens: when each was created and last used, and a form for a new one."""
    _browser_only(request)
    created = request.cookies.get(NEW_TOKEN_COOKIE)
    if created:
        # Show it only if it really is one of this user's tokens, never text from elsewhere.
        row = token_service.find_token(db=db, token=created)
        created = created if row is not None and row.user_id == user.id else None
    response = _tokens_page(request, db, user, created=created)
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path=path_for(request, "api_tokens"), httponly=True, samesite="strict")
    return response


@router.post(TOKENS_PATH, dependencies=[CsrfDep])
def create_api_token(request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep, name: str = Form(""),
                     expires_in_days: int = Form(90, ge=0, le=3650)):
    """Create a token, then show it once on the tokens page."""
    _browser_only(request)
    try:
        token = token_service.create_token(db=db, user=user, name=name, expires_in_days=expires_in_days)
    except token_service.TokenError as exc:
        return _tokens_page(request, db, user, name=name, error=str(exc), status_code=422)
    response = see_other(request, "api_tokens")
    response.set_cookie(NEW_TOKEN_COOKIE, token, max_age=120, path=path_for(request, "api_tokens"), httponly=True, samesite="strict", secure=settings.cookie_secure)
    return response


@router.post(TOKENS_PATH + "/{token_id}/revoke", dependencies=[CsrfDep])
def revoke_api_token(request: Request, user: CurrentUser, db: SessionDep, token_id: IdPath):
    """Revoke one of your tokens; scripts using it get 401 from now on."""
    _browser_only(request)
    if not token_service.revoke_token(db=db, user_id=user.id, token_id=token_id):
        raise HTTPException(404, "No such token.")
    return see_other(request, "api_tokens", query={"revoked": 1})


# ------------------------------------------------------------------ getting back in


@router.get("/forgot", name="forgot_password")
def forgot_form(request: Request, settings: SettingsDep):
    """Ask for a reset link by email, or (without email) how to get one from an admin."""
    return render(request, "account/forgot.html", _forgot_context(settings))


def _forgot_context(settings, **extra) -> dict:
    return {"mail": mail_configured(settings), "minutes": settings.password_reset_minutes, "email": "", "sent": False,
            "error": None} | extra


@router.post("/forgot", dependencies=[CsrfDep])
def forgot(request: Request, write_db: WriteSessions, settings: SettingsDep, email: str = Form("", max_length=320)):
    """Email a reset link if the account exists; the page says the same either way, so it reveals no accounts."""
    if not mail_configured(settings):
        return render(request, "account/forgot.html", _forgot_context(settings))
    with write_db.begin() as db:  # committed before the email goes: SMTP may take seconds
        allowed = reset_service.request_allowed(db=db, ip=_client_ip(request))
        link = reset_service.link_for_email(db=db, email=email, settings=settings) if allowed else None
    if not allowed:
        msg = "Too many reset requests from your network in the last hour. Try again later."
        return render(request, "account/forgot.html", _forgot_context(settings, email=email, error=msg), status_code=429)
    if link is not None:
        try:
            send_mail(settings=settings, to=email.strip(), subject="Choose a new tpmprep password", body=(
                f"Someone (we hope you) asked to reset the password of this tpmprep account.\n\n"
                f"Open this link to choose a new one. It works once, for {settings.password_reset_minutes} minutes:\n\n"
                f"{link}\n\nIf it was not you, ignore this email: your password stays as it is.\n"))
        except (OSError, smtplib.SMTPException) as exc:
            log.error("password reset email could not be sent: %s", type(exc).__name__)
            msg = "The email could not be sent just now. Try again in a few minutes."
            return render(request, "account/forgot.html", _forgot_context(settings, email=email, error=msg), status_code=503)
    return render(request, "account/forgot.html", _forgot_context(settings, email=email, sent=True))


@router.get("/reset/{token}", name="reset_password")
def reset_form(request: Request, db: SessionDep, token: str):
    """The new-password form, if the link is still good."""
    valid = reset_service.valid_reset(db=db, token=token) is not None
    return render(request, "account/reset.html", {"valid": valid, "token": token, "errors": {}}, status_code=200 if valid else 410)


@router.post("/reset/{token}", dependencies=[CsrfDep])
def reset(request: Request, db: SessionDep, settings: SettingsDep, token: str, new_password: str = Form(""),
          confirm_password: str = Form("")):
    """Save the new password; the link is used up and every session (this browser's too) ends."""
    if new_password != confirm_password:
        errors = {"confirm_password": "The two new passwords do not match."}
        return render(request, "account/reset.html", {"valid": True, "token": token, "errors": errors}, status_code=422)
    try:
        reset_service.choose_password(db=db, token=token, password=new_password, settings=settings)
    except user_service.AccountError as exc:
        if exc.field == "token":
            return render(request, "account/reset.html", {"valid": False, "token": token, "errors": {}}, status_code=410)
        return render(request, "account/reset.html", {"valid": True, "token": token, "errors": {"new_password": str(exc)}},
                      status_code=422)
    response = see_other(request, "login", query={"reset": 1})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
