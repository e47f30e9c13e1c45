"""Code tables from EN 300 392-5 as quoted by open PEI clients (see reference §6.3, §7.1)."""

from __future__ import annotations

CME_ERRORS: dict[int, str] = {
    0: "MT unable to send the data over the air",
    1: "MT cannot establish reliable communication with the TE",
    2: "PEI link of the MT is being used already",
    3: "general error: command not allowed in the current state",
    4: "MT does not support the command",
    5: "PIN for SIM required",
    10: "SIM not inserted",
    11: "SIM PIN1 required",
    12: "SIM PUK1 required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect PIN",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "message stack full",
    21: "message index does not exist",
    22: "message index does not correspond to any message",
    23: "failed to store or access the message stack",
    24: "status text too long",
    25: "status text has invalid characters",
    26: "dial string longer than 25 digits",
    27: "dial string has invalid characters",
    30: "MS out of service",
    31: "no layer 2 acknowledgement from the network",
    32: "user data decoding failed",
    33: "parameter of wrong type",
    34: "parameter out of range",
    35: "syntax error",
    36: "user data received without AT+CMGS",
    37: "AT+CMGS received but user data timed out",
    38: "protocol identifier already registered",
    39: "SDS-TL registration table full",
    40: "MT in DMO mode: command not allowed",
    41: "MT in TXI (transmit inhibit) mode",
    42: "MT busy: try again later",
    43: "this operation is not allowed in the current state of the MT",
}

# Errors worth a retry after a pause rather than a failure of the request.
CME_TRANSIENT: frozenset[int] = frozenset({0, 14, 31, 42})

DISCONNECT_CAUSES: dict[int, str] = {
    0: "cause not defined or unknown",
    1: "user request",
    2: "called party busy",
    3: "called party not reachable",
    4: "called party does not support encryption",
    5: "network congestion",
    6: "not allowed traffic",
    7: "incompatible traffic",
    8: "requested service not available",
    9: "pre-emptive use of resource",
    10: "invalid call identifier",
    11: "called party rejection",
    12: "no idle CC entity",
    13: "timer expiry (hang time)",
    14: "SwMI disconnect",
    15: "no acknowledgement",
    16: "unknown TETRA identity",
    17: "supplementary service dependent",
    18: "unknown external subscriber number",
    19: "call restoration failed",
    20: "called party requires encryption",
    21: "concurrent set-up not supported",
    22: "called party under the same DM-GATE",
    31: "unacceptable service",
    32: "pre-emption by late-entering gateway",
    33: "link to DM-REP failed",
    34: "link to gateway failed",
    35: "call rejected by gateway",
    36: "V+D call set-up failure",
    37: "V+D resource lost or call timer expired",
    38: "transmit authorisation lost",
    39: "channel occupied by other users",
    40: "security parameter mismatch",
}

AI_MODES: dict[int, str] = {
    0: "TMO (trunked)",
    1: "DMO (direct)",
    2: "TMO with DMO dual watch",
    3: "DMO with TMO dual watch",
    4: "TMO and DMO",
    5: "DMO gateway",
    6: "DMO repeater",
}

SDS_SEND_STATUS: dict[int, str] = {
    0: "incoming stored, unread",
    1: "incoming stored, read",
    2: "outgoing stored, unsent",
    3: "outgoing stored, sent",
    4: "sent over the air",
    5: "transmission failed",
}


def cme_error_text(code: int) -> str:
    """The meaning of a ``+CME ERROR`` code, or a neutral text for codes not in the table."""
    return CME_ERRORS.get(code, "reserved or vendor-specific error")


def disconnect_cause_text(cause: int) -> str:
    """The meaning of a ``+CTCR`` disconnect cause."""
    return DISCONNECT_CAUSES.get(cause, "reserved disconnect cause")
