"""A real PostgreSQL cluster for the tests, started on loopback with Debian's binaries.

One cluster per test session (``initdb`` and ``pg_ctl``, as the ``postgres`` user
when the tests run as root, since PostgreSQL refuses to run as root), listening
on 127.0.0.1 only, with a random password. Each test gets a database of its
own, copied from a template that is migrated once (``create``), or an empty one
to migrate itself (``create(empty=True)``). ``make test`` installs the Debian
package ``postgresql`` when it is missing.

Durability is off (``fsync``, ``synchronous_commit``): a test cluster is thrown away.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.store import Database
from tests.ports import free_port

TEMPLATE = "bot_template"


def server_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries (the newest version), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        return None
    return Path(initdb).parent



class PostgresCluster:
    """A throw-away cluster: ``start()``, ``create()`` databases, ``stop()``."""

    def __init__(self) -> None:
        bindir = server_bin()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL's server is not installed: `make test` installs the Debian "
                "package postgresql (apt-get install postgresql)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.user = "bot"
        self._names = itertools.count(1)
        self._as: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            pg = pwd.getpwnam("postgres")
            os.chown(self.root, pg.pw_uid, pg.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}{tail}")

    def start(self) -> PostgresCluster:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as:
            pg = pwd.getpwnam("postgres")
            os.chown(pwfile, pg.pw_uid, pg.pw_gid)
        pwfile.chmod(0o600)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  f"--pwfile={pwfile}", "-A", "scram-sha-256", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        pwfile.unlink()
        options = " ".join([
            f"-p {self.port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=300",
        ])
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "-o", options, "start")
        self._admin(f'CREATE DATABASE "{TEMPLATE}"')
        Database(self.url(TEMPLATE)).close()  # migrated once; each test copies it
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str) -> str:
        return (f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}"
                f"/{name}")

    def _admin(self, sql: str) -> None:
        import psycopg  # the postgres extra; only when a cluster runs

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user,
                             password=self.password, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create(self, empty: bool = False) -> str:
        """A new database (migrated, unless ``empty``); its SQLAlchemy URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        template = "template0" if empty else TEMPLATE
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a test's database, ending the connections its test left open."""
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
