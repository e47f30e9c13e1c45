"""Unit tests of the sans-I/O PEI protocol core (framer, protocol state machine, parsers).

Wire formats are those of the reference (pei-protocol.md §2, §3, §4.4-4.5, §6, §7, §10).
"""

from __future__ import annotations

import pytest

from drivers.errors import CommandError, ProtocolError
from drivers.pei import commands as c
from drivers.pei import events as ev
from drivers.pei.commands import CTRL_Z, Command
from drivers.pei.framer import MAX_LINE, LineFramer, Overflow
from drivers.pei.protocol import SDS_MAX_INTERVENING, PeiProtocol, ProtocolBusy

# --- helpers --------------------------------------------------------------------------


def feed(data: bytes, command: Command | None = None, *, chunk: int = 0) -> list[ev.PeiEvent]:
    """Events of ``data`` through a fresh protocol, optionally with ``command`` pending."""
    proto = PeiProtocol()
    if command is not None:
        proto.send(command)
    if not chunk:
        return proto.receive(data)
    out: list[ev.PeiEvent] = []
    for i in range(0, len(data), chunk):
        out += proto.receive(data[i : i + chunk])
    return out


def one(events: list[ev.PeiEvent]) -> ev.PeiEvent:
    assert len(events) == 1, events
    return events[0]


# --- framer: line endings ---------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\r", b"\n", b"\r\n", b"\n\r", b"\r\r\n"])
def test_framer_line_endings(eol: bytes) -> None:
    framer = LineFramer()
    assert framer.feed(b"+CTOM: 0" + eol + b"OK" + eol) == ["+CTOM: 0", "OK"]
    assert framer.buffered == 0


@pytest.mark.parametrize("eol", [b"\r", b"\n", b"\r\n"])
def test_command_completes_with_any_line_ending(eol: bytes) -> None:
    data = eol + b"+CTOM: 0" + eol + eol + b"OK" + eol
    assert feed(data, c.query_mode()) == [ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",))]


def test_framer_crlf_split_across_reads_gives_no_empty_line() -> None:
    framer = LineFramer()
    assert framer.feed(b"OK\r") == ["OK"]
    assert framer.feed(b"\nERROR\r") == ["ERROR"]
    assert framer.feed(b"\n") == []


def test_framer_partial_line_waits_for_line_end() -> None:
    framer = LineFramer()
    assert framer.feed(b"+CTX") == []
    assert framer.buffered == 4
    assert framer.feed(b"G: 1,0,0,0") == []
    assert framer.feed(b"\r\n") == ["+CTXG: 1,0,0,0"]
    assert framer.buffered == 0


def test_framer_drops_control_bytes_and_empty_lines() -> None:
    framer = LineFramer()
    assert framer.feed(b"\x00\r\n\r\n\x1aO\x00K\x07\r\n \r\n") == ["OK"]


def test_framer_reset_forgets_partial_line() -> None:
    framer = LineFramer()
    framer.feed(b"garbage without end")
    framer.reset()
    assert framer.buffered == 0
    assert framer.feed(b"OK\r") == ["OK"]


def test_framer_strips_data_prompt() -> None:
    framer = LineFramer()
    assert framer.feed(b"> \r\n") == []
    assert framer.feed(b"> +CMGS: 0\r\n") == ["+CMGS: 0"]
    assert framer.feed(b">\r\n>> OK\r\n") == ["OK"]


# --- overlong lines ----------------------------------------------------------------------


def test_overlong_unterminated_run_is_line_noise_and_framer_recovers() -> None:
    proto = PeiProtocol()
    out: list[ev.PeiEvent] = []
    for _ in range(MAX_LINE // 64 + 2):
        out += proto.receive(b"Z" * 64)
    assert len(out) == 1
    noise = out[0]
    assert isinstance(noise, ev.LineNoise)
    assert noise.reason == "line too long"
    assert len(noise.data) == MAX_LINE
    assert proto._framer.buffered <= MAX_LINE
    # The rest of the overlong line is discarded up to its end, then lines flow again.
    assert proto.receive(b"ZZZZ\r\n+CTCR: 1,13\r\n") == [ev.CallReleased(1, 13)]


def test_framer_overflow_object_and_recovery() -> None:
    framer = LineFramer(max_line=8)
    out = framer.feed(b"0123456789")
    assert out == [Overflow(b"01234567")]
    assert framer.buffered == 0
    assert framer.feed(b"tail\rOK\r") == ["OK"]


def test_overlong_line_terminated_in_one_read_is_line_noise() -> None:
    events = feed(b"A" * (MAX_LINE + 100) + b"\r\nOK\r\n", c.at())
    assert isinstance(events[0], ev.LineNoise)
    assert events[1] == ev.CommandCompleted("AT", ())


def test_overlong_garbage_events_do_not_depend_on_chunking() -> None:
    data = b"\xff" * (3 * MAX_LINE) + b"\r\nOK\r\n"
    whole = feed(data)
    assert feed(data, chunk=32) == whole


# --- echo ------------------------------------------------------------------------------


def test_echo_on_command_line_is_dropped() -> None:
    # V.25ter echo: the command line, then \r\r\nOK\r\n (reference §2, gammu log).
    assert feed(b"ATE0\r\r\nOK\r\n", c.echo_off()) == [ev.CommandCompleted("ATE0", ())]


def test_echo_on_query_with_response() -> None:
    data = b"AT+CNUMF?\r\r\n+CNUMF: 6,09011638300023401\r\n\r\nOK\r\n"
    assert feed(data, c.query_identity()) == [
        ev.CommandCompleted("AT+CNUMF?", ("+CNUMF: 6,09011638300023401",))
    ]


def test_echo_is_case_and_space_insensitive() -> None:
    assert feed(b"atd 1000\r\r\nOK\r\n", c.dial(1000)) == [ev.CommandCompleted("ATD1000", ())]


def test_echo_off_plain_answer() -> None:
    assert feed(b"\r\nOK\r\n", c.at()) == [ev.CommandCompleted("AT", ())]


def test_echo_line_without_pending_command_is_unknown() -> None:
    assert feed(b"ATE0\r\n") == [ev.UnknownLine("ATE0")]


# --- final results ---------------------------------------------------------------------


def test_ok_error_and_cme_error() -> None:
    assert feed(b"\r\nERROR\r\n", c.at()) == [ev.CommandFailed("AT", "ERROR", None, ())]
    failed = one(feed(b"\r\n+CME ERROR: 35\r\n", c.set_mode(1)))
    assert isinstance(failed, ev.CommandFailed)
    assert failed.cme == 35
    assert failed.reason == "+CME ERROR 35: syntax error"
    assert failed.command == "AT+CTOM=1"


@pytest.mark.parametrize(
    ("line", "code", "text"),
    [
        (b"+CME ERROR: 42", 42, "MT busy"),
        (b"+CME ERROR:3", 3, "general error"),
        (b"+cme error: 0", 0, "unable to send the data over the air"),
        (b"+CMS ERROR: 36", 36, "user data received without AT+CMGS"),
        (b"+CME ERROR: 199", 199, "reserved or vendor-specific"),
    ],
)
def test_cme_error_reason_uses_code_table(line: bytes, code: int, text: str) -> None:
    failed = one(feed(line + b"\r\n", c.at()))
    assert isinstance(failed, ev.CommandFailed)
    assert failed.cme == code
    assert text in failed.reason
    assert failed.reason.startswith(f"+CME ERROR {code}: ")


def test_plain_error_reason_is_the_result_line() -> None:
    failed = one(feed(b"NO CARRIER\r\n", c.dial(1)))
    assert isinstance(failed, ev.CommandFailed)
    assert failed.reason == "NO CARRIER"
    assert failed.cme is None


def test_vendor_final_command_not_support() -> None:
    failed = one(feed(b"COMMAND NOT SUPPORT\r\n", c.raw("AT+CTBCT?")))
    assert isinstance(failed, ev.CommandFailed)
    assert failed.result == "COMMAND NOT SUPPORT"


def test_failed_command_keeps_information_lines() -> None:
    failed = one(feed(b"+CTOM: 0\r\nERROR\r\n", c.query_mode()))
    assert failed == ev.CommandFailed("AT+CTOM?", "ERROR", None, ("+CTOM: 0",))


def test_startup_junk_is_stray_result() -> None:
    # FTL TestCOM_ReadAllGarbageOnStartup-like: syntax errors for line noise before open.
    events = feed(b"\r\n+CME ERROR: 35\r\n\n\n+CME ERROR: 35\r\n\nOK\r\nERROR\r\n")
    assert events == [
        ev.StrayResult("+CME ERROR: 35", 35),
        ev.StrayResult("+CME ERROR: 35", 35),
        ev.StrayResult("OK", None),
        ev.StrayResult("ERROR", None),
    ]


def test_startup_binary_junk_then_command_works() -> None:
    proto = PeiProtocol()
    junk = proto.receive(b"\x00\xff\xfe\x80garbage\r\n\x00\x00+CME ERROR: 35\r\n")
    assert junk[-1] == ev.StrayResult("+CME ERROR: 35", 35)
    assert all(isinstance(e, ev.UnknownLine | ev.StrayResult) for e in junk)
    proto.send(c.at())
    assert proto.receive(b"\r\nOK\r\n") == [ev.CommandCompleted("AT", ())]


def test_case_insensitive_results_and_urcs() -> None:
    assert feed(b"ok\r\n", c.at()) == [ev.CommandCompleted("AT", ())]
    assert feed(b"+ctom: 0\r\nOk\r\n", c.query_mode()) == [
        ev.CommandCompleted("AT+CTOM?", ("+ctom: 0",))
    ]
    assert feed(b"+ctom: 1\r\n") == [ev.ModeChanged(1)]
    assert feed(b"+ctcr: 1,13\r\n") == [ev.CallReleased(1, 13)]
    failed = one(feed(b"error\r\n", c.at()))
    assert isinstance(failed, ev.CommandFailed)


def test_unknown_line_without_command() -> None:
    assert feed(b"RING\r\n+XYZ: 1,2\r\n") == [ev.UnknownLine("RING"), ev.UnknownLine("+XYZ: 1,2")]


def test_bare_response_lines_belong_to_pending_command() -> None:
    data = b"MOTOROLA\r\n+GMM: 5606,H63PCH6TZ7AN,43.8.0.0\r\nOK\r\n"
    assert feed(data, c.raw("ATI")) == [
        ev.CommandCompleted("ATI", ("MOTOROLA", "+GMM: 5606,H63PCH6TZ7AN,43.8.0.0"))
    ]


# --- one command outstanding -------------------------------------------------------------


def test_second_send_is_protocol_busy() -> None:
    proto = PeiProtocol()
    proto.send(c.at())
    with pytest.raises(ProtocolBusy) as info:
        proto.send(c.query_mode())
    assert isinstance(info.value, CommandError)
    assert "AT+CTOM" in str(info.value)
    assert proto.pending == c.at()


def test_send_allowed_again_after_final_result() -> None:
    proto = PeiProtocol()
    proto.send(c.at())
    assert proto.receive(b"OK\r\n") == [ev.CommandCompleted("AT", ())]
    assert proto.pending is None
    assert proto.send(c.query_mode()) == b"AT+CTOM?\r"


def test_abandon_returns_failure_with_lines_collected_so_far() -> None:
    proto = PeiProtocol()
    proto.send(c.query_mode())
    proto.receive(b"+CTOM: 0\r\n")
    failed = proto.abandon("timeout")
    assert failed == ev.CommandFailed("AT+CTOM?", "timeout", None, ("+CTOM: 0",))
    assert proto.pending is None
    assert proto.abandon("again") is None
    # A late OK for the abandoned command is stray.
    assert proto.receive(b"OK\r\n") == [ev.StrayResult("OK", None)]


def test_reset_forgets_command_partial_line_and_sds_header() -> None:
    proto = PeiProtocol()
    proto.send(c.at())
    proto.receive(b"+CTSDSR: 13,1234567,0,2345678,0,16\r\nOK-partial")
    # (the OK above completed nothing: header pending, "OK-partial" unterminated)
    proto.reset()
    assert proto.pending is None
    assert proto.receive(b"\r\n8004\r\n") == [ev.UnknownLine("8004")]
    proto.send(c.at())
    assert proto.receive(b"OK\r") == [ev.CommandCompleted("AT", ())]


# --- URCs in the middle of a response ------------------------------------------------------


def test_urc_between_response_and_ok_is_classified() -> None:
    data = (
        b"\r\n+CNUMF: 6,09011638300023401\r\n\r\n+CTXG: 1,3,0,0,3,09011638300023404\r\n\r\nOK\r\n"
    )
    assert feed(data, c.query_identity()) == [
        ev.TxGranted(1, 3, "09011638300023404"),
        ev.CommandCompleted("AT+CNUMF?", ("+CNUMF: 6,09011638300023401",)),
    ]


def test_urcs_before_first_response_line_and_after_final() -> None:
    data = (
        b"+CTICN: 1,0,0,5,23404,1,1,0,1,1,5,1000,0\r\n"
        b"+CNUMF: 6,09011638300023401\r\n"
        b"+CTCC: 1,1,1,0,0,1,1\r\n"
        b"OK\r\n"
        b"+CDTXC: 1,0\r\n"
    )
    events = feed(data, c.query_identity())
    assert [type(e) for e in events] == [
        ev.IncomingCall,
        ev.CallConnected,
        ev.CommandCompleted,
        ev.TxCeased,
    ]
    assert events[2] == ev.CommandCompleted("AT+CNUMF?", ("+CNUMF: 6,09011638300023401",))


# --- same-prefix rules ------------------------------------------------------------------------


def test_cmgs_response_then_report() -> None:
    cmd = c.send_sds(1234567, b"\x80\x0b")
    data = b"\r\n+CMGS: 0\r\n\r\nOK\r\n\r\n+CMGS: 0,4,7\r\n"
    events = feed(data, cmd)
    assert events == [
        ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 0",)),
        ev.SdsSendStatus(0, 4, 7),
    ]
    completed = events[0]
    assert isinstance(completed, ev.CommandCompleted)
    assert c.parse_cmgs_instance(completed.lines) == 0
    report = events[1]
    assert isinstance(report, ev.SdsSendStatus)
    assert report.sent and not report.failed


def test_cmgs_report_of_earlier_message_before_response() -> None:
    cmd = c.send_sds(1234567, b"\x80\x0b")
    data = b"+CMGS: 1,5,9\r\n+CMGS: 2\r\n+CMGS: 1,4\r\nOK\r\n"
    events = feed(data, cmd)
    assert events == [
        ev.SdsSendStatus(1, 5, 9),
        ev.SdsSendStatus(1, 4, None),
        ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 2",)),
    ]
    assert isinstance(events[0], ev.SdsSendStatus) and events[0].failed


def test_cmgs_report_with_no_command_pending() -> None:
    assert feed(b"+CMGS: 0,4,65\r\n") == [ev.SdsSendStatus(0, 4, 65)]


def test_ctom_query_owns_first_line_second_is_urc() -> None:
    data = b"+CTOM: 0\r\n+CTOM: 1\r\nOK\r\n"
    assert feed(data, c.query_mode()) == [
        ev.ModeChanged(1),
        ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",)),
    ]


def test_ctom_without_query_is_urc() -> None:
    assert feed(b"+CTOM: 1\r\n") == [ev.ModeChanged(1)]
    # A set command does not own +CTOM either.
    assert feed(b"+CTOM: 1\r\nOK\r\n", c.set_mode(1)) == [
        ev.ModeChanged(1),
        ev.CommandCompleted("AT+CTOM=1", ()),
    ]


def test_ctgs_query_owns_first_line() -> None:
    data = b"+CTGS: 1,09011638300000001\r\n+CTGS: 1,09011638300000002\r\nOK\r\n"
    assert feed(data, c.query_group()) == [
        ev.GroupChanged(1, "09011638300000002"),
        ev.CommandCompleted("AT+CTGS?", ("+CTGS: 1,09011638300000001",)),
    ]
    assert feed(b"+CTGS: 2,1000\r\n") == [ev.GroupChanged(2, "1000")]


def test_raw_query_infers_its_response_prefix() -> None:
    assert c.raw("AT+CTGS?").response == "+CTGS"
    assert c.raw("at+ctom?").response == "+CTOM"
    assert feed(b"+CTOM: 0\r\nOK\r\n", c.raw("AT+CTOM?")) == [
        ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",))
    ]


def test_ownership_resets_for_each_command() -> None:
    proto = PeiProtocol()
    proto.send(c.query_mode())
    assert proto.receive(b"+CTOM: 0\r\nOK\r\n") == [ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",))]
    proto.send(c.query_mode())
    assert proto.receive(b"+CTOM: 1\r\nOK\r\n") == [ev.CommandCompleted("AT+CTOM?", ("+CTOM: 1",))]


# --- +CTSDSR ----------------------------------------------------------------------------------


def test_sds_header_and_payload() -> None:
    data = b"\r\n+CTSDSR: 12,23404,0,23401,0,112\r\n82040801476A61746A616A676A61\r\n"
    sds = one(feed(data))
    assert sds == ev.SdsReceived(
        12,
        "23404",
        "23401",
        112,
        bytes.fromhex("82040801476A61746A616A676A61"),
        "+CTSDSR: 12,23404,0,23401,0,112",
    )


@pytest.mark.parametrize(
    ("header", "ai", "calling", "called", "bits"),
    [
        ("+CTSDSR: 13,2345678,16", 13, "", "2345678", 16),
        ("+CTSDSR: 13,2345678,0,16", 13, "", "2345678", 16),
        ("+CTSDSR: 13,1234567,0,2345678,0,16", 13, "1234567", "2345678", 16),
        ("+CTSDSR: 13,1234567,0,2345678,0,16,0", 13, "1234567", "2345678", 16),
        ("+CTSDSR:13,1234567,0,2345678,0,16", 13, "1234567", "2345678", 16),
    ],
)
def test_sds_header_field_counts(
    header: str, ai: int, calling: str, called: str, bits: int
) -> None:
    sds = one(feed(header.encode() + b"\r\n8004\r\n"))
    assert sds == ev.SdsReceived(ai, calling, called, bits, b"\x80\x04", header)


def test_sds_header_bound_across_urc_and_ok() -> None:
    data = b"+CTSDSR: 13,1234567,0,2345678,0,16\r\n+CTXG: 1,0,0,0\r\nOK\r\n7ACA\r\n"
    assert feed(data, c.at()) == [
        ev.TxGranted(1, 0, None),
        ev.CommandCompleted("AT", ()),
        ev.SdsReceived(13, "1234567", "2345678", 16, b"\x7a\xca", data.split(b"\r\n")[0].decode()),
    ]


def test_sds_payload_with_lowercase_and_spaces() -> None:
    sds = one(feed(b"+CTSDSR: 12,1,0,2,0,24\r\n0a 11 28\r\n"))
    assert isinstance(sds, ev.SdsReceived)
    assert sds.payload == b"\x0a\x11\x28"


def test_sds_odd_length_hex_is_padded() -> None:
    sds = one(feed(b"+CTSDSR: 12,1,0,2,0,12\r\n800\r\n"))
    assert isinstance(sds, ev.SdsReceived)
    assert sds.payload == b"\x80\x00"
    assert sds.bits == 12


def test_sds_bit_length_trusted_from_hex_not_header() -> None:
    # SvxLink: a LIP report announced as 84 bits carries 22 hex chars = 88 bits.
    data = b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A112853A9FF4D4FFFE810\r\n"
    sds = one(feed(data))
    assert isinstance(sds, ev.SdsReceived)
    assert sds.bits == 84
    assert sds.payload == bytes.fromhex("0A112853A9FF4D4FFFE810")
    assert len(sds.payload) * 8 == 88
    # A header that under-reports grossly still keeps every byte the hex carried.
    sds2 = one(feed(b"+CTSDSR: 13,1,0,2,0,16\r\n80041122\r\n"))
    assert isinstance(sds2, ev.SdsReceived)
    assert sds2.payload == b"\x80\x04\x11\x22"


def test_sds_tsi_identities_and_short_ssi() -> None:
    data = b"+CTSDSR: 13,09011638300023404,1,09011638300023401,1,16\r\n8004\r\n"
    sds = one(feed(data))
    assert isinstance(sds, ev.SdsReceived)
    assert sds.calling == "09011638300023404"
    assert sds.calling_ssi == "23404"
    assert sds.called_ssi == "23401"


def test_sds_header_orphaned_after_too_many_lines() -> None:
    header = b"+CTSDSR: 13,1234567,0,2345678,0,16\r\n"
    others = b"".join(b"+CTCR: %d,13\r\n" % i for i in range(SDS_MAX_INTERVENING + 1))
    events = feed(header + others + b"8004\r\n")
    assert events[:SDS_MAX_INTERVENING] == [ev.CallReleased(i, 13) for i in range(4)]
    assert events[SDS_MAX_INTERVENING] == ev.SdsHeaderOrphaned(
        "+CTSDSR: 13,1234567,0,2345678,0,16", "no hex payload line followed"
    )
    assert events[SDS_MAX_INTERVENING + 1] == ev.CallReleased(SDS_MAX_INTERVENING, 13)
    # The late hex line is no longer bound to anything.
    assert events[-1] == ev.UnknownLine("8004")


def test_sds_header_still_bound_after_max_intervening_lines() -> None:
    header = b"+CTSDSR: 13,1234567,0,2345678,0,16\r\n"
    others = b"".join(b"+CDTXC: %d,0\r\n" % i for i in range(SDS_MAX_INTERVENING))
    events = feed(header + others + b"8004\r\n")
    assert isinstance(events[-1], ev.SdsReceived)
    assert not any(isinstance(e, ev.SdsHeaderOrphaned) for e in events)


def test_sds_wrapped_header_continuation() -> None:
    data = b"+CTSDSR: 12,23404,0\r\n,23401,0,16\r\n8004\r\n"
    assert one(feed(data)) == ev.SdsReceived(
        12, "23404", "23401", 16, b"\x80\x04", "+CTSDSR: 12,23404,0,23401,0,16"
    )


def test_second_sds_header_orphans_the_first() -> None:
    data = b"+CTSDSR: 12,1,0,2,0,16\r\n+CTSDSR: 13,3,0,4,0,16\r\n8004\r\n"
    assert feed(data) == [
        ev.SdsHeaderOrphaned("+CTSDSR: 12,1,0,2,0,16", "no hex payload line followed"),
        ev.SdsReceived(13, "3", "4", 16, b"\x80\x04", "+CTSDSR: 13,3,0,4,0,16"),
    ]


# --- AT+CMGS encoding and echo ----------------------------------------------------------------


def test_cmgs_encoding_one_write() -> None:
    proto = PeiProtocol()
    wire = proto.send(c.send_sds(1234567, b"\x80\x0b"))
    assert wire == b"AT+CMGS=1234567,16\r800B\x1a"
    text = bytes.fromhex("8204070148616c6c6f")
    wire2 = c.send_sds(2269001, text).encode(b"\r\n")
    assert wire2 == b"AT+CMGS=2269001,72\r\n8204070148616C6C6F" + CTRL_Z
    assert wire2.count(CTRL_Z) == 1 and wire2.endswith(CTRL_Z)


@pytest.mark.parametrize("size", [1, 2, 11, 255])
def test_cmgs_bits_are_eight_times_bytes(size: int) -> None:
    cmd = c.send_sds("09011638300023404", bytes(range(size)))
    assert cmd.line == f"AT+CMGS=09011638300023404,{8 * size}"
    assert cmd.data == bytes(range(size)).hex().upper().encode()
    assert cmd.response == "+CMGS"


def test_cmgs_rejects_bad_input() -> None:
    with pytest.raises(CommandError):
        c.send_sds(1, b"")
    with pytest.raises(CommandError):
        c.send_sds(1, bytes(256))
    with pytest.raises(CommandError):
        c.send_sds("12a", b"\x00")


def test_cmgs_echo_with_prompt_is_dropped() -> None:
    cmd = c.send_sds(1234567, b"\x80\x0b")
    data = b"AT+CMGS=1234567,16\r\n> 800B\x1a\r\n+CMGS: 0\r\n\r\nOK\r\n"
    assert feed(data, cmd) == [ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 0",))]


def test_cmgs_echo_on_cr_only_and_separate_prompt_line() -> None:
    cmd = c.send_sds(1234567, b"\x80\x0b")
    data = b"AT+CMGS=1234567,16\r\r\n> \r\n800B\x1a\r\n+CMGS: 3\r\nOK\r\n+CMGS: 3,4,1\r\n"
    assert feed(data, cmd, chunk=3) == [
        ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 3",)),
        ev.SdsSendStatus(3, 4, 1),
    ]


def test_line_ending_of_dialect_is_used() -> None:
    from drivers.pei.dialect import load_dialect

    proto = PeiProtocol(load_dialect("sepura"))
    assert proto.send(c.at()) == b"AT\r\n"


# --- call URCs --------------------------------------------------------------------------------


def test_cticn_tsi_form() -> None:
    line = b"+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0\r\n"
    call = one(feed(line))
    assert isinstance(call, ev.IncomingCall)
    assert (call.cc, call.call_status, call.ai_service) == (1, 0, 0)
    assert call.calling == "09011638300023404"
    assert call.called == "09011638300000001"
    assert call.calling_ssi == "23404"
    assert call.called_ssi == "1"
    assert (call.hook, call.simplex, call.comms_type, call.priority) == (1, 1, 1, 0)
    assert not call.emergency
    assert len(call.fields) == 13


def test_cticn_ssi_form() -> None:
    call = one(feed(b"+CTICN: 1,0,0,5,23404,1,1,0,1,1,5,1000,0\r\n"))
    assert call == ev.IncomingCall(1, 0, 0, "23404", "1000", 1, 0, 1, 1)


def test_cticn_no_space_form_and_emergency() -> None:
    call = one(feed(b"+CTICN:0,0,0,0,255,1,1,0,1,1,1,216216300000300,3\r\n"))
    assert isinstance(call, ev.IncomingCall)
    assert (call.cc, call.calling, call.called, call.priority) == (0, "255", "216216300000300", 3)
    emergency = one(feed(b"+CTICN: 2,0,0,0,255,1,1,0,1,1,1,300,15\r\n"))
    assert isinstance(emergency, ev.IncomingCall) and emergency.emergency


def test_reference_group_call_sequence() -> None:
    data = (
        b"+CTICN:0,0,0,0,255,1,1,0,1,1,1,216216300000300,3\r\n"
        b"+CTCC:0,1,1,0,0,1,1,3\r\n"
        b"+CTXG:0,3,0,0,0,255\r\n"
        b"+CDTXC:0,0\r\n"
        b"+CTCR:0,13\r\n"
    )
    events = feed(data)
    assert events[1:] == [
        ev.CallConnected(0),
        ev.TxGranted(0, 3, "255"),
        ev.TxCeased(0),
        ev.CallReleased(0, 13),
    ]
    grant = events[2]
    assert isinstance(grant, ev.TxGranted) and grant.talker_ssi == "255" and not grant.ours


def test_pc_initiated_group_call_sequence() -> None:
    proto = PeiProtocol()
    proto.send(c.dial(1))
    events = proto.receive(b"OK\r\n+CTOCP: 1,0,0,1,0\r\n+CTCC: 1,1,1,0,0,1,1\r\n+CTXG: 1,0,0,0\r\n")
    assert events == [
        ev.CommandCompleted("ATD1", ()),
        ev.CallProgress(1, 0),
        ev.CallConnected(1),
        ev.TxGranted(1, 0, None),
    ]
    grant = events[3]
    assert isinstance(grant, ev.TxGranted) and grant.ours and grant.talker_ssi is None
    assert proto.send(c.ptt_release(1)) == b"AT+CUTXC=1\r"
    assert proto.receive(b"OK\r\n+CDTXC: 1,0\r\n+CTCR: 1,13\r\n") == [
        ev.CommandCompleted("AT+CUTXC=1", ()),
        ev.TxCeased(1),
        ev.CallReleased(1, 13),
    ]


def test_ctxg_six_field_talker_tsi() -> None:
    grant = one(feed(b"+CTXG: 1,3,0,0,3,09011638300023404\r\n"))
    assert grant == ev.TxGranted(1, 3, "09011638300023404")
    assert isinstance(grant, ev.TxGranted) and grant.talker_ssi == "23404"


@pytest.mark.parametrize(
    ("cause", "text"),
    [(13, "timer expiry"), (1, "user request"), (2, "busy"), (27, "reserved disconnect cause")],
)
def test_ctcr_cause_text(cause: int, text: str) -> None:
    rel = one(feed(b"+CTCR: 1,%d\r\n" % cause))
    assert isinstance(rel, ev.CallReleased)
    assert rel.cause == cause
    assert text in rel.cause_text


def test_other_urcs_and_registration() -> None:
    assert feed(b"+CREG: 1\r\n+CTXI: 1\r\n+CLVL: 5\r\n") == [
        ev.RegistrationChanged(1),
        ev.OtherUrc("CTXI", ("1",), "+CTXI: 1"),
        ev.OtherUrc("CLVL", ("5",), "+CLVL: 5"),
    ]


def test_urc_with_non_numeric_field_is_unknown_line() -> None:
    assert feed(b"+CTCR: x,13\r\n") == [ev.UnknownLine("+CTCR: x,13")]


@pytest.mark.parametrize(
    "line",
    [
        b"+CTCR:",
        b"+CTICN: ",
        b"+CTXG:",
        b"+CTOM:",
        b"+CTSDSR: 12,1",
        b"+CTSDSR: 12,1,0,2,0",
    ],
)
def test_short_urc_is_unknown_line_not_exception(line: bytes) -> None:
    events = feed(line + b"\r\nOK\r\n", c.at())
    assert events[-1] == ev.CommandCompleted("AT", ())
    assert all(isinstance(e, ev.UnknownLine | ev.OtherUrc) for e in events[:-1])


# --- +CNUMF, identities -------------------------------------------------------------------------


def test_cnumf_parsing_and_short_ssi() -> None:
    completed = one(feed(b"+CNUMF: 6,09011638300023401\r\nOK\r\n", c.query_identity()))
    assert isinstance(completed, ev.CommandCompleted)
    num_type, identity = c.parse_cnumf(completed.lines)
    assert (num_type, identity) == (6, "09011638300023401")
    assert ev.short_ssi(identity) == "23401"
    assert c.parse_cnumf(('+cnumf: 0,"2269001"',)) == (0, "2269001")


@pytest.mark.parametrize(
    ("identity", "ssi"),
    [
        ("09011638300023404", "23404"),
        ("09011638300000001", "1"),
        ("00023404", "23404"),
        ("23404", "23404"),
        ('"2269001"', "2269001"),
        ("0", "0"),
        ("", ""),
        ("09011638300000000", "0"),
    ],
)
def test_short_ssi(identity: str, ssi: str) -> None:
    assert ev.short_ssi(identity) == ssi


def test_response_parsers_raise_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        c.parse_cnumf(("+CTOM: 0",))
    with pytest.raises(ProtocolError):
        c.parse_cnumf(("+CNUMF: x",))
    with pytest.raises(ProtocolError):
        c.parse_cmgs_instance(("+CMGS: a",))
    assert c.parse_int_field(("+CSQ: 20,99",), "+CSQ", 1) == 99
    with pytest.raises(ProtocolError):
        c.parse_int_field(("+CSQ: 20",), "+CSQ", 1)


def test_command_builders() -> None:
    assert c.select_group(1000).encode() == b"AT+CTGS=1,1000\r"
    assert c.ptt_press(1).encode(b"\n") == b"AT+CTXD=1,1\n"
    assert c.register_service(1, 3, 130).line == "AT+CTSP=1,3,130"
    assert c.register_service(2, 0).line == "AT+CTSP=2,0"
    assert c.send_sds(1, b"\x00").name == "AT+CMGS"
    assert c.echo_off().name == "ATE"
    with pytest.raises(CommandError):
        c.raw("AT\r\nATZ")


def test_late_echo_of_an_earlier_command_is_not_a_response_line() -> None:
    # Start-up junk ends the first AT early; its echo and OK arrive during the next command.
    proto = PeiProtocol()
    proto.send(c.at())
    assert isinstance(proto.receive(b"\r\n+CME ERROR: 35\r\n")[0], ev.CommandFailed)
    proto.send(c.echo_off())
    events = proto.receive(b"AT\r\r\nOK\r\n")
    assert events == [ev.CommandCompleted("ATE0", ())]
    proto.send(c.query_mode())
    events = proto.receive(b"ATE0\r\r\nOK\r\n")
    assert events == [ev.CommandCompleted("AT+CTOM?", ())]
