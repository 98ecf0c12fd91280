"""How to reach a Chroma server: its URL, token, TLS and database (``BOT_CHROMA_*``).

``chroma run`` (Chroma 1.x) checks no token itself: a reverse proxy in front of
it does (infra/README.md). The client sends the token on every request, checks
the server's certificate against the system's CA bundle or ``BOT_CHROMA_CA_FILE``,
and keeps the index in one Chroma database (a namespace on the server, made
when missing), so several deployments, or tests, can share one server.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.config import Settings
from bot.errors import ConfigError, IndexError_

log = logging.getLogger(__name__)
_ENSURED: set[tuple[str, str]] = set()  # (url, database) known to exist on the server
_ENSURED_LOCK = threading.Lock()


def _chroma() -> Any:
    import chromadb

    return chromadb


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ChromaServer:
    url: str
    token: str | None = None
    auth_header: str = "Authorization"
    ca_file: Path | None = None
    verify_tls: bool = True
    database: str = "default_database"

    def __post_init__(self) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(
                f"BOT_CHROMA_URL must be http://HOST:PORT or https://HOST:PORT, not {self.url!r}"
            )
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ConfigError(f"BOT_CHROMA_CA_FILE {self.ca_file} is not a file")

    @classmethod
    def of(cls, settings: Settings) -> ChromaServer | None:
        if not settings.chroma_url:
            return None
        server = cls(settings.chroma_url, settings.chroma_token, settings.chroma_auth_header,
                     settings.chroma_ca_file, settings.chroma_verify_tls,
                     settings.chroma_database)
        if server.token and not server.tls and not _is_loopback(server.host):
            log.warning("BOT_CHROMA_TOKEN is sent over plain http to %s: use https:// "
                        "unless that network is private to the service", server.host)
        return server

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "127.0.0.1"

    @property
    def tls(self) -> bool:
        return urlparse(self.url).scheme == "https"

    @property
    def port(self) -> int:
        return urlparse(self.url).port or (443 if self.tls else 8000)

    def headers(self) -> dict[str, str]:
        if not self.token:
            return {}
        if self.auth_header.lower() == "authorization":
            return {"Authorization": f"Bearer {self.token}"}
        return {self.auth_header: self.token}

    def _settings(self) -> Any:
        verify: bool | str = str(self.ca_file) if self.ca_file else self.verify_tls
        return _chroma().Settings(
            anonymized_telemetry=False, allow_reset=False,
            chroma_server_ssl_verify=verify if self.tls else None,
        )

    def client(self) -> Any:
        """A client of this server's database; the database is made if it is missing."""
        chromadb = _chroma()
        try:
            self._ensure_database()
            return chromadb.HttpClient(host=self.host, port=self.port, ssl=self.tls,
                                       headers=self.headers(), settings=self._settings(),
                                       database=self.database)
        except (ConfigError, IndexError_):
            raise
        except Exception as exc:  # noqa: BLE001 - chroma raises many types; report one fault
            raise IndexError_(f"cannot reach the Chroma server at {self.url}: {exc}") from exc

    def _ensure_database(self) -> None:
        key = (self.url, self.database)
        with _ENSURED_LOCK:
            if key in _ENSURED:
                return
        settings = self._settings()
        settings.chroma_api_impl = "chromadb.api.fastapi.FastAPI"
        settings.chroma_server_host = self.host
        settings.chroma_server_http_port = self.port
        settings.chroma_server_ssl_enabled = self.tls
        settings.chroma_server_headers = self.headers()
        chromadb = _chroma()
        admin = chromadb.AdminClient(settings)
        try:
            try:
                admin.get_database(self.database)
            except Exception:  # noqa: BLE001 - missing (making it says why if not)
                try:
                    admin.create_database(self.database)
                except Exception as exc:  # noqa: BLE001 - made by another replica meanwhile?
                    try:
                        admin.get_database(self.database)
                    except Exception:  # noqa: BLE001
                        raise IndexError_(
                            f"cannot open or make the Chroma database {self.database!r} at "
                            f"{self.url}: {exc}") from exc
        finally:  # an admin client has no close(): release its system by hand
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._release_system(admin._identifier)
        with _ENSURED_LOCK:
            _ENSURED.add(key)

    def collections(self, prefix: str) -> dict[str, dict[str, Any]]:
        """The collections whose names start with ``prefix``, with their metadata."""
        client = self.client()
        try:
            return {c.name: dict(c.metadata or {}) for c in client.list_collections()
                    if c.name.startswith(prefix)}
        finally:
            close_client(client)

    def drop(self, name: str) -> bool:
        """Delete one collection; False when it was already gone."""
        client = self.client()
        try:
            client.delete_collection(name)
            return True
        except Exception as exc:  # noqa: BLE001 - gone already, or the server says why
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                return False
            raise IndexError_(f"cannot delete the Chroma collection {name!r}: {exc}") from exc
        finally:
            close_client(client)


def close_client(client: Any) -> None:
    """Close a Chroma client if it can be closed; a gone server or a second close is fine."""
    close = getattr(client, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001 - closing twice or a gone server
            pass
