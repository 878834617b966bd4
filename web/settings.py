"""Every setting of tpmprep, read from TPMPREP_* environment variables (documented in README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Application settings; the defaults are for a laptop, production must set a secret."""

    model_config = SettingsConfigDict(env_prefix="TPMPREP_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="development, test or production; production turns off /docs and requires secure cookies."
    )
    database_url: str = Field(
        f"sqlite:///{REPO_ROOT / 'data' / 'tpmprep.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... in production.",
    )
    content_dir: Path = Field(REPO_ROOT / "content", description="Folder holding guides/, questions/ and tracks/.")
    cache_dir: Path | None = Field(REPO_ROOT / "data" / "cache", description="Where the parsed content is cached between starts (empty: no cache).")
    cookie_secure: bool = Field(False, description="Mark the session cookie Secure (set true behind HTTPS).")
    session_idle_minutes: int = Field(60 * 24, description="A session unused this long expires.")
    session_absolute_hours: int = Field(24 * 14, description="A session expires this long after login whatever its use.")
    login_max_attempts: int = Field(5, description="Failed logins allowed per account, and 4x that per IP, within the window.")
    login_window_minutes: int = Field(15, description="Window over which failed logins are counted.")
    signups_per_hour: int = Field(10, ge=1, description="Accounts one IP address may create per hour.")
    max_answer_chars: int = Field(20_000, description="Longest answer accepted (about 3,000 words).")
    password_hash_cheap: bool = Field(False, description="Cheaper argon2 parameters; for tests only.")
    page_size: int = Field(20, description="Questions per page in the question bank.")
    signed_in_page_cache: bool = Field(
        True,
        description="Keep each login session's question bank and guide pages rendered in memory and reuse them "
        "while the session's login read shows nothing on them changed (up to 500 pages per process).",
    )
    # LLM scorer: optional; any OpenAI-compatible endpoint.
    llm_base_url: str = Field("", description="OpenAI-compatible base URL (empty: the LLM scorer is off).")
    llm_api_key: str = Field("", description="API key for the LLM endpoint (local servers accept any value).")
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the LLM endpoint.")
    llm_timeout_seconds: float = Field(30.0, description="Timeout of one LLM call.")
    llm_max_retries: int = Field(2, description="Retries of one LLM call after a timeout, 429 or 5xx.")
    run_worker: bool = Field(True, description="Run a scoring worker thread inside the web server.")
    log_format: Literal["text", "json"] = Field("text", description="Log lines as plain text or JSON objects.")
    log_level: str = Field("INFO", description="Level of tpmprep's logs (DEBUG, INFO, WARNING, ERROR).")
    review_all_answers: bool = Field(False, description="Send every new answer to the human review queue.")
    reviews_per_answer: int = Field(1, ge=1, le=5, description="Independent human reviews each answer gets.")
    review_claim_minutes: int = Field(30, ge=1, description="How long a reviewer's claim on an answer lasts.")
    base_url: str = Field("http://127.0.0.1:8000", description="The site's public address, for links sent by email or printed by the CLI.")
    smtp_host: str = Field("", description="SMTP server for password-reset emails (empty: no email; an admin passes links on).")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_username: str = Field("", description="SMTP login (empty: none).")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    mail_from: str = Field("tpmprep <no-reply@localhost>", description="The From address of emails the site sends.")
    password_reset_minutes: int = Field(60, ge=5, description="How long a password-reset link works.")
    metrics_token: str = Field("", description="Bearer token /metrics requires (empty: open in development, off in production).")
    # Spoken answers: transcribed offline by default; optionally by an OpenAI-compatible endpoint.
    audio_max_seconds: int = Field(600, ge=10, description="The longest recording accepted, in seconds.")
    audio_max_bytes: int = Field(25 * 1024 * 1024, ge=100_000, le=25 * 1024 * 1024, description="The largest recording upload accepted, in bytes.")
    keep_audio: bool = Field(False, description="Keep recordings after their transcript is accepted (default: delete them).")
    transcription_base_url: str = Field("", description="OpenAI-compatible base URL for /v1/audio/transcriptions (empty: offline model).")
    transcription_api_key: str = Field("", description="API key for the transcription endpoint.")
    transcription_model: str = Field("whisper-1", description="Model name sent to the transcription endpoint.")
    transcription_timeout_seconds: float = Field(60.0, description="Timeout of one transcription call.")

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _empty_means_none(cls, value):
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _fail_closed(self) -> "Settings":
        # Outside development the session cookie must not travel over plain HTTP, and
        # test-only cheap hashing must never reach real passwords.
        if self.environment == "production":
            if not self.cookie_secure:
                raise ValueError("TPMPREP_COOKIE_SECURE must be true in production (serve over HTTPS)")
            if self.password_hash_cheap:
                raise ValueError("TPMPREP_PASSWORD_HASH_CHEAP is for tests only")
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (embedded) rather than a server."""
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
