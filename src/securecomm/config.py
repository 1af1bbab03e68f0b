"""Settings from the environment (prefix ``SECURECOMM_``), validated once.

SQLite in ``./var`` by default so one machine needs nothing installed;
``SECURECOMM_DATABASE_URL=postgresql+psycopg://...`` for PostgreSQL. No secret is
defined until something signs with one: a setting nobody reads only gives a false
sense of protection (the service's session and audit-signing keys come with it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECURECOMM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/securecomm.sqlite"
    output_dir: Path = Path("out")
    # Keep the biometric galleries on disk here (opened, not rebuilt, on start).
    gallery_dir: Path | None = None
    # Intake limits: a submission past one is refused with an error naming the limit.
    max_submission_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)  # CAR/CNA files
    max_json_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)  # JSON bookings
    max_json_depth: int = Field(default=16, ge=4, le=200)

    def __repr__(self) -> str:  # the URL may hold a password
        from securecomm.database.engine import mask_url

        url = mask_url(self.database_url)
        return f"Settings(environment={self.environment!r}, database_url={url!r})"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
