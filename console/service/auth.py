"""Who is asking: the operator, the position and the role behind each API request.

Local faces reach the service through its Unix socket, which only the PC user (and the
socket's group) can open -- the file permissions are the authentication, as for
``rigctld``/gpsd sockets -- and they say who sits at the keyboard with the
``X-Dutydesk-Operator`` and ``X-Dutydesk-Position`` headers.  Remote positions come over
TLS and must show a token from the station file's ``[[service.tokens]]`` (kept there only
as its SHA-256); the token decides the operator's name and role, not the headers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from aiohttp import web

from console.config import ApiToken

OPERATOR_HEADER = "X-Dutydesk-Operator"
POSITION_HEADER = "X-Dutydesk-Position"
ROLE_HEADER = "X-Dutydesk-Role"
"""A local face may ask for less than it could have (``read-only``: the browser face)."""


class Role(StrEnum):
    OPERATOR = "operator"
    """May page, acknowledge, run roll calls and drills, broadcast and key PTT."""
    READ_ONLY = "read-only"
    """Sees the station (state, stream, log) and acts on nothing."""


@dataclass(frozen=True)
class Principal:
    """The person and desk behind one request; every logged action names both."""

    operator: str
    position: str
    role: Role

    @property
    def may_act(self) -> bool:
        return self.role is Role.OPERATOR


CALLER: web.RequestKey[Principal] = web.RequestKey("caller", Principal)
"""Where a request keeps who sent it (set by the API's middleware)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its SHA-256 (what the station file keeps)."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def header_text(value: str | None, default: str) -> str:
    """A header value (percent-encoded UTF-8, so Chinese names survive HTTP), cleaned."""
    if not value:
        return default
    text = unquote(value).strip()
    text = "".join(c for c in text if c.isprintable())[:64]
    return text or default


def local_principal(
    operator: str | None, position: str | None, default_operator: str, role: str | None = None
) -> Principal:
    """A face on the Unix socket: trusted as the PC user, named by its headers; it acts
    unless it asked to be read-only (a header can only take rights away)."""
    granted = Role.READ_ONLY if (role or "").strip() == Role.READ_ONLY.value else Role.OPERATOR
    return Principal(
        header_text(operator, default_operator), header_text(position, "local"), granted
    )


def remote_principal(
    authorization: str | None, tokens: tuple[ApiToken, ...], peer: str
) -> Principal | None:
    """The token's operator for ``Authorization: Bearer <token>``; None if refused."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    digest = token_digest(authorization[len("Bearer ") :].strip())
    for tok in tokens:
        if hmac.compare_digest(digest, tok.sha256):
            return Principal(tok.operator, tok.position or peer, Role(tok.role))
    return None
