"""Settings from the environment (prefix ``SECURECOMM_``), validated once.

SQLite in ``./var`` by default so one machine needs nothing installed;
``SECURECOMM_DATABASE_URL=postgresql+psycopg://...`` for PostgreSQL.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret"  # refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECURECOMM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/securecomm.sqlite"
    output_dir: Path = Path("out")
    # Keep the biometric galleries on disk here (opened, not rebuilt, on start).
    gallery_dir: Path | None = None
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            secret = self.secret_key.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "SECURECOMM_SECRET_KEY must be set to a random value of at least "
                    "32 characters when SECURECOMM_ENVIRONMENT=production"
                )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
