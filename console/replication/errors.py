"""The one error hierarchy of ``console.replication``; every error carries a hint.

The shipper never raises these at the paging code (it runs on its own thread and reports
through its status); they reach a person through ``dutydesk doctor``, the admin helpers
and the status line, so each says what to do.
"""

from __future__ import annotations

from console.errors import ConsoleError


class ReplicationError(ConsoleError):
    """Base of every replication error."""

    default_hint = "Check [replication] url in the station file and that the centre is up."


class DriverMissing(ReplicationError):
    """psycopg is not installed (the ``replication`` extra)."""

    default_hint = "Install the replication extra: pip install 'dutydesk[replication]'."


class CentreUnreachable(ReplicationError):
    """The central PostgreSQL cannot be reached or refused the login."""

    default_hint = (
        "Check the network to the centre, the host/role in [replication] url, and the "
        "password (~/.pgpass or PGPASSWORD). The station keeps paging; events wait in its log."
    )


class SchemaError(ReplicationError):
    """The central schema is missing, older or newer than this dutydesk expects."""

    default_hint = (
        "Ask the centre's administrator to run 'python -m console.replication migrate' "
        "with the same dutydesk version."
    )


class NotThisStation(ReplicationError):
    """The role in the URL may not write rows for this ``station_id``."""

    default_hint = (
        "Each station connects with its own role, mapped to its station_id in the centre's "
        "'stations' table; fix [replication] station_id or ask the centre to map the role."
    )
