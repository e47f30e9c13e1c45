"""Opening the centre's database read-only, with errors a person can act on.

Every centre connection is a read-only session (``default_transaction_read_only``): the
centre watches and reports, it never writes a station's record -- even when the role in
the URL happens to be one that could.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.replication.schema import LATEST_VERSION, current_version

from .errors import BadDatabaseUrl, CentreError, CentreSchemaMissing, CentreUnreachable

if TYPE_CHECKING:
    import psycopg

_SCHEMES = ("postgresql://", "postgres://")


def conninfo(url: str, *, timeout: float = 5.0) -> dict[str, Any]:
    """libpq settings for a centre session: the URL's own, plus a connect timeout, a
    statement timeout and read-only transactions.  Refuses what is not PostgreSQL."""
    text = url.strip()
    if not text:
        raise BadDatabaseUrl("--db is empty")
    if "://" in text and not text.startswith(_SCHEMES):
        raise BadDatabaseUrl(f"--db {text!r} is not a PostgreSQL URL")
    if "://" not in text and "=" not in text:
        raise BadDatabaseUrl(f"--db {text!r} is neither a PostgreSQL URL nor a conninfo string")
    try:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        raise CentreError(
            "psycopg (the PostgreSQL driver) is not installed",
            hint="Install the replication extra: pip install 'dutydesk[replication]'.",
        ) from None
    try:
        params: dict[str, Any] = dict(conninfo_to_dict(text))
    except psycopg.ProgrammingError as exc:
        raise BadDatabaseUrl(f"--db {text!r} cannot be read: {first_line(exc)}") from None
    params.setdefault("connect_timeout", max(1, int(timeout)))
    params.setdefault("application_name", "dutydesk-centre")
    # JIT compiles for longer than these queries run; the report's GROUP BY over a month
    # of ladders sorts on disk with the default 4 MB (bench_centre.py measured both).
    session = "-c default_transaction_read_only=on -c statement_timeout=60000 -c jit=off"
    options = str(params.get("options", ""))
    if "work_mem" not in options:
        session += " -c work_mem=64MB"
    params["options"] = f"{options} {session}".strip()
    return params


def first_line(exc: BaseException) -> str:
    """psycopg's messages run over several lines; a CLI error is one."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def unreachable(exc: BaseException, url: str) -> CentreUnreachable:
    return CentreUnreachable(f"cannot open the centre database {redact(url)}: {first_line(exc)}")


def redact(url: str) -> str:
    """The URL without its password (it ends up in error messages and logs)."""
    if "://" in url and "@" in url:
        head, _, tail = url.partition("://")
        user, _, host = tail.rpartition("@")
        return f"{head}://{user.split(':', 1)[0]}@{host}"
    return url


def check_schema(version: int) -> None:
    if version == 0:
        raise CentreSchemaMissing("the database has no dutydesk central schema")
    if version != LATEST_VERSION:
        raise CentreSchemaMissing(
            f"the centre's schema is version {version}; this dutydesk reads version "
            f"{LATEST_VERSION}"
        )


def connect(url: str, *, timeout: float = 5.0) -> psycopg.Connection[Any]:
    """A read-only autocommit connection whose schema this build can read."""
    params = conninfo(url, timeout=timeout)
    import psycopg

    try:
        conn = psycopg.connect(autocommit=True, **params)
    except psycopg.Error as exc:
        raise unreachable(exc, url) from None
    try:
        check_schema(current_version(conn))
    except BaseException:
        conn.close()
        raise
    return conn


async def connect_async(url: str, *, timeout: float = 5.0) -> psycopg.AsyncConnection[Any]:
    """The same for the centre screen's workers (LISTEN and the refresh queries)."""
    params = conninfo(url, timeout=timeout)
    import psycopg

    try:
        conn = await psycopg.AsyncConnection.connect(autocommit=True, **params)
    except psycopg.Error as exc:
        raise unreachable(exc, url) from None
    try:
        cur = await conn.execute("SELECT to_regclass('schema_version') IS NOT NULL")
        row = await cur.fetchone()
        version = 0
        if row and row[0]:
            cur = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            found = await cur.fetchone()
            version = int(found[0]) if found else 0
        check_schema(version)
    except BaseException:
        await conn.close()
        raise
    return conn
