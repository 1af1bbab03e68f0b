"""Settings from the environment (prefix ``SECURECOMM_``), validated once.

SQLite in ``./var`` by default so one machine needs nothing installed;
``SECURECOMM_DATABASE_URL=postgresql+psycopg://...`` for PostgreSQL. The keys have
development defaults that are public (they are in this file): outside development the
settings refuse to load while a key still has its default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Public on purpose: development only, refused elsewhere (never sign real logs with it).
DEVELOPMENT_AUDIT_KEY = "ZGV2ZWxvcG1lbnQtb25seS1hdWRpdC1rZXktMzJieXQ="


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECURECOMM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/securecomm.sqlite"
    output_dir: Path = Path("out")
    # Bring the schema to this release's whenever a process opens the store (one
    # machine, development); false: migrations run as a deploy step (`securecomm db
    # upgrade`) and workers and services refuse a store whose schema is behind.
    migrate_on_open: bool = True
    # Keep the biometric galleries on disk here (opened, not rebuilt, on start).
    gallery_dir: Path | None = None
    # Split each gallery in this many shards held by Ray actors (0: in the worker's
    # process); the shards join the Ray cluster at ray_address ("auto": the one
    # `ray start` runs on this machine; unset: a private one per worker).
    gallery_shards: int = Field(default=0, ge=0, le=1024)
    ray_address: str | None = None
    # Messages between agencies through RabbitMQ (amqp://user:password@host:5672/vhost);
    # unset: delivered in process into the recipients' mailboxes (the embedded default).
    broker_url: str | None = None
    # Intake limits: a submission past one is refused with an error naming the limit.
    max_submission_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)  # CAR/CNA files
    max_json_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)  # JSON bookings
    max_json_depth: int = Field(default=16, ge=4, le=200)
    # Ed25519 private key (base64 of 32 bytes) that signs the audit log's checkpoints.
    audit_signing_key: str = DEVELOPMENT_AUDIT_KEY
    # Seal the audit log (link new events, sign a checkpoint) after this many steps.
    audit_seal_every: int = Field(default=200, ge=1)
    # The pages' session cookie is sent only over HTTPS (browsers treat localhost as
    # secure); turn off only behind a TLS-terminating proxy that speaks plain HTTP.
    cookie_secure: bool = True

    @model_validator(mode="after")
    def _no_default_keys_outside_development(self) -> Settings:
        if self.environment != "development" and self.audit_signing_key == DEVELOPMENT_AUDIT_KEY:
            raise ValueError(
                f"environment {self.environment}: SECURECOMM_AUDIT_SIGNING_KEY still has "
                "its public development default; set a key of your own "
                "(`securecomm audit new-key`)"
            )
        return self

    def __repr__(self) -> str:  # the URL may hold a password
        from securecomm.database.engine import mask_url

        url = mask_url(self.database_url)
        return f"Settings(environment={self.environment!r}, database_url={url!r})"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
