"""Sending email through the SMTP server the settings name (nothing is sent when none is set)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from web.settings import Settings

SMTP_TIMEOUT_SECONDS = 10


def mail_configured(settings: Settings) -> bool:
    """Whether the site can send email."""
    return bool(settings.smtp_host)


def send_mail(*, settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text email; raises OSError or smtplib.SMTPException when the server refuses."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
