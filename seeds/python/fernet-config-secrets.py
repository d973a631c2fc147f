"""Application settings loader.

Reads settings.toml and decrypts values stored as ``enc:<fernet-token>`` with
the key provided by the platform (APP_CONFIG_KEY, injected from the vault at
deploy time). Encrypted values never hit the logs.
"""
import os
import tomllib
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken


@dataclass(frozen=True)
class Settings:
    db_url: str
    smtp_password: str
    api_base: str
    debug: bool = False


def _decrypt(value, fernet):
    if isinstance(value, str) and value.startswith("enc:"):
        try:
            return fernet.decrypt(value[4:].encode()).decode()
        except InvalidToken as exc:
            raise ValueError("config value could not be decrypted; wrong APP_CONFIG_KEY?") from exc
    return value


def load(path="settings.toml"):
    key = os.environ.get("APP_CONFIG_KEY")
    if not key:
        raise RuntimeError("APP_CONFIG_KEY is not set")
    f = Fernet(key.encode())
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    section = raw.get(os.environ.get("APP_ENV", "production"), {})
    return Settings(
        db_url=_decrypt(section["db_url"], f),
        smtp_password=_decrypt(section["smtp_password"], f),
        api_base=section.get("api_base", "https://api.corp.example"),
        debug=bool(section.get("debug", False)),
    )


def encrypt_value(plaintext):
    """Helper for operators: python -c 'import settings; print(settings.encrypt_value("x"))'."""
    return "enc:" + Fernet(os.environ["APP_CONFIG_KEY"].encode()).encrypt(plaintext.encode()).decode()
