"""The one error hierarchy of ``console.centre``: what a centre operator can get wrong.

The centre's commands (``dutydesk report --db``, ``dutydesk centre``) end every one of
these as one line with a hint and exit status 2, never a traceback.
"""

from __future__ import annotations

from console.errors import ConsoleError


class CentreError(ConsoleError):
    """Base of every centre error."""

    default_hint = "Check --db (postgresql://role@host/dbname) and that the centre is up."


class BadDatabaseUrl(CentreError):
    """``--db`` is not a PostgreSQL URL or connection string."""

    default_hint = (
        "Give the centre's database as postgresql://role@host:5432/dbname "
        "(or host=... dbname=...); a station's SQLite log is not the centre."
    )


class CentreUnreachable(CentreError):
    """The central PostgreSQL cannot be reached, or refused the login."""

    default_hint = (
        "Check the host and port in --db, the network to the centre, and the password "
        "(~/.pgpass or PGPASSWORD); 'dutydesk doctor' at a station shows its own link."
    )


class CentreSchemaMissing(CentreError):
    """The database is there but has no (or another version of the) dutydesk schema."""

    default_hint = (
        "Run 'python -m console.replication migrate --db URL' as the centre's "
        "administrator with the same dutydesk version."
    )


class BadPeriod(CentreError):
    """``--since`` / ``--until`` are missing, unreadable or the wrong way round."""

    default_hint = (
        "Give ISO-8601 times, e.g. --since 2026-11-01 --until 2026-12-01T00:00+08:00, "
        "or a time back from now: --since -7d."
    )


class DispatchConfigError(CentreError):
    """The centre's dispatch file (``--dispatch``) cannot be read or names no usable token."""

    default_hint = (
        "Each [[stations]] needs station (its name at the centre), api (https://host:port "
        "of its service) and token_env or token_file (an operator token of that station)."
    )


class DispatchRefused(CentreError):
    """A station's own API refused the centre's command, or could not be reached."""

    default_hint = (
        "The station decides: check its token (dutydesk serve --new-token) and that its "
        "service listens ([service] listen); the centre itself never writes a station's rows."
    )
