"""PeiSession without I/O: every transition, driven by events and virtual time numbers."""

from __future__ import annotations

import pytest

from drivers.errors import CommandError
from drivers.pei import events as ev
from drivers.pei import session as ps
from drivers.pei.session import PeiSession
from drivers.pei.state import GatewayIdentity, LinkState

OK = ev.CommandCompleted("AT", ())
REFUSED = ev.CommandFailed("AT", "ERROR", None, ())


def session(**kw: object) -> PeiSession:
    args: dict[str, object] = {"init": (), "command_timeout": 5.0, "keepalive": 30.0}
    args.update(kw)
    return PeiSession(**args)  # type: ignore[arg-type]


def up(s: PeiSession, now: float = 0.0, echoes: int = 0) -> PeiSession:
    """Run a clean init with no dialect lines and establish the link at ``now``."""
    s.connecting("opening")
    s.begin_init()
    s.init_answered(OK)
    (done,) = s.init_answered(OK)
    assert isinstance(done, ps.InitDone)
    s.established(now, echoes, "up")
    return s


def lines(actions: tuple[ps.Action, ...]) -> list[str]:
    return [a.command.line for a in actions if isinstance(a, ps.SendInit)]


# --- state announcements --------------------------------------------------------------


def test_connecting_and_closed_are_announced_once_without_detail() -> None:
    s = session()
    assert s.connecting("opening x") == (ps.EnterState(LinkState.CONNECTING, "opening x"),)
    assert s.state is LinkState.CONNECTING
    assert s.closed() == (ps.EnterState(LinkState.CLOSED, "closed"),)
    assert s._enter(LinkState.CLOSED) == ()  # same state, no detail: nothing to announce


# --- init -----------------------------------------------------------------------------


def test_clean_init_sends_at_then_ate0_then_the_dialect_lines_in_order() -> None:
    s = session(init=("AT+CTSP=1,3,130", "AT+CMEE=1"), command_timeout=4.0)
    assert s.begin_init() == (ps.SendInit(ps.commands.at(), 1.0),)
    assert lines(s.init_answered(OK)) == ["ATE0"]
    (step,) = s.init_answered(OK)
    assert isinstance(step, ps.SendInit) and step.command.line == "AT+CTSP=1,3,130"
    assert step.timeout == 4.0
    assert lines(s.init_answered(OK)) == ["AT+CMEE=1"]
    assert s.init_answered(OK) == (ps.InitDone(GatewayIdentity()),)


def test_established_resets_counters_and_goes_up() -> None:
    s = session(max_timeouts=5)
    s.timeouts, s.failed_opens = 3, 2
    s.connecting("opening")
    s.begin_init()
    s.init_answered(OK)
    s.init_answered(OK)
    assert s.established(7.0, 4, "x at 9600 baud") == (
        ps.EnterState(LinkState.UP, "x at 9600 baud"),
    )
    assert (s.state, s.timeouts, s.failed_opens, s.last_rx) == (LinkState.UP, 0, 0, 7.0)


def test_identity_is_learned_from_cnumf_and_ctom_answers() -> None:
    s = session(init=("AT+CNUMF?", "AT+CTOM?"))
    s.begin_init()
    s.init_answered(OK)
    s.init_answered(OK)
    s.init_answered(ev.CommandCompleted("AT+CNUMF?", ("+CNUMF: 6,2620010001234567",)))
    (done,) = s.init_answered(ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",)))
    assert done == ps.InitDone(GatewayIdentity("2620010001234567", 6, 0))
    s.established(0.0, 0, "up")
    assert s.identity.mode == 0 and s.identity.num_type == 6


def test_a_malformed_query_answer_is_a_warning_and_init_carries_on() -> None:
    s = session(init=("AT+CTOM?", "AT+CMEE=1"))
    s.begin_init()
    s.init_answered(OK)
    s.init_answered(OK)
    warn, nxt = s.init_answered(ev.CommandCompleted("AT+CTOM?", ("+CTOM: x",)))
    assert isinstance(warn, ps.Warn) and warn.command == "AT+CTOM?"
    assert lines((nxt,)) == ["AT+CMEE=1"]


def test_a_refused_dialect_line_is_a_warning_and_init_carries_on() -> None:
    s = session(init=("AT+CTSP=1,3,130",))
    s.begin_init()
    s.init_answered(OK)
    s.init_answered(OK)
    refused = ev.CommandFailed("AT+CTSP=1,3,130", "+CME ERROR: 4", 4, ())
    assert s.init_rejected(refused) == (
        ps.Warn("AT+CTSP=1,3,130", refused.reason),
        ps.InitDone(GatewayIdentity()),
    )


@pytest.mark.parametrize("answer", ["rejected", "timed_out"])
def test_a_failed_at_waits_for_quiet_and_retries_with_a_longer_deadline(answer: str) -> None:
    s = session()
    s.begin_init()
    fail = (lambda: s.init_rejected(REFUSED)) if answer == "rejected" else s.init_timed_out
    assert fail() == (ps.WaitQuiet(ps.QUIET_PERIOD),)
    assert s.quiet_checked(1.0) == (ps.SendInit(ps.commands.at(), 2.0),)


def test_quiet_is_awaited_while_junk_still_arrives_but_only_five_times() -> None:
    s = session()
    s.begin_init()
    s.init_timed_out()
    now = 0.0
    for _ in range(ps.QUIET_CHECKS - 1):
        now += ps.QUIET_PERIOD
        s.received(now - 0.1, 0)  # junk 0.1 s ago: not quiet yet
        assert s.quiet_checked(now) == (ps.WaitQuiet(ps.QUIET_PERIOD),)
    s.received(now, 0)
    assert lines(s.quiet_checked(now)) == ["AT"]  # fifth check: go on regardless


def test_at_answered_only_with_errors_fails_the_init_after_five_tries() -> None:
    s = session()
    s.begin_init()
    timeouts = []
    for _ in range(ps.AT_TRIES - 1):
        assert s.init_rejected(REFUSED) == (ps.WaitQuiet(ps.QUIET_PERIOD),)
        (step,) = s.quiet_checked(100.0)
        assert isinstance(step, ps.SendInit)
        timeouts.append(step.timeout)
    assert timeouts == [2.0, 3.0, 4.0, 5.0]
    assert s.init_rejected(REFUSED) == (ps.WaitQuiet(ps.QUIET_PERIOD),)
    (failed,) = s.quiet_checked(100.0)
    assert isinstance(failed, ps.InitFailed) and "only with errors" in failed.reason
    assert failed.hint


def test_ate0_refused_or_unanswered_and_a_dialect_line_unanswered_fail_the_init() -> None:
    s = session(init=("AT+CMEE=1",))
    s.begin_init()
    s.init_answered(OK)
    assert s.init_rejected(REFUSED) == (ps.InitFailed(),)  # the shell re-raises its error
    assert s.init_timed_out() == (ps.InitFailed(),)
    s.init_answered(OK)
    assert s.init_timed_out() == (ps.InitFailed(),)


def test_a_bad_dialect_line_is_a_command_error() -> None:
    s = session(init=("AT\x01",))
    s.begin_init()
    s.init_answered(OK)
    with pytest.raises(CommandError):
        s.init_answered(OK)


# --- traffic --------------------------------------------------------------------------


def test_received_notes_the_time_and_an_echo_after_ate0_drops_the_link() -> None:
    s = up(session(), now=0.0, echoes=2)
    assert s.received(3.0, 2) == ()
    assert s.last_rx == 3.0
    (drop,) = s.received(4.0, 3)
    assert isinstance(drop, ps.DropLink) and "restarted" in drop.reason


def test_echoes_while_not_up_are_not_a_restart() -> None:
    s = session()
    s.connecting("opening")
    assert s.received(1.0, 5) == ()


def test_link_is_lost_after_max_timeouts_in_a_row_and_an_answer_resets_the_count() -> None:
    s = up(session(max_timeouts=2))
    assert s.timed_out() == ()
    s.answered()
    assert s.timed_out() == ()
    assert s.timed_out() == (ps.DropLink("2 commands in a row got no answer"),)


def test_timeouts_while_not_up_do_not_drop_the_link() -> None:
    s = session(max_timeouts=1)
    s.connecting("opening")
    assert s.timed_out() == ()


def test_keepalive_is_due_after_a_quiet_interval_only_when_idle() -> None:
    s = up(session(keepalive=30.0, command_timeout=5.0), now=10.0)
    assert s.tick(10.0, idle=True) == (ps.Sleep(30.0),)
    assert s.tick(35.0, idle=True) == (ps.Sleep(5.0),)
    assert s.tick(40.0, idle=False) == (ps.Sleep(ps.MIN_TICK),)
    assert s.tick(40.0, idle=True) == (ps.SendKeepAlive(ps.commands.at(), 2.0),)
    s.received(41.0, 0)
    assert s.tick(41.0, idle=True) == (ps.Sleep(30.0),)


def test_keepalive_deadline_is_the_shorter_of_two_seconds_and_the_command_timeout() -> None:
    s = up(session(keepalive=1.0, command_timeout=0.5))
    assert s.tick(5.0, idle=True) == (ps.SendKeepAlive(ps.commands.at(), 0.5),)
    assert s.keepalive_unanswered() == (ps.DropLink("keep-alive AT got no answer"),)


# --- loss and back-off ----------------------------------------------------------------


def test_loss_of_an_up_link_reconnects_or_goes_down() -> None:
    s = up(session())
    assert s.lost("read failed") == (
        ps.DropLink("read failed"),
        ps.EnterState(LinkState.RECONNECTING, "read failed"),
    )
    assert s.lost("again") == ()  # already reconnecting: once is enough
    s = up(session(reconnect=False))
    assert s.lost("eof") == (ps.DropLink("eof"), ps.EnterState(LinkState.DOWN, "eof"))
    assert s.lost("again") == ()


def test_loss_while_closed_is_ignored() -> None:
    assert session().lost("late reader error") == ()


def test_loss_during_init_counts() -> None:
    s = session()
    s.connecting("opening")
    assert s.lost("write failed")[0] == ps.DropLink("write failed")


def test_failed_opens_back_off_longer_each_time_up_to_the_last_step() -> None:
    s = session(backoff=(0.5, 1.0, 2.0))
    delays = []
    for _ in range(5):
        enter, sleep = s.open_failed("no port")
        assert enter == ps.EnterState(LinkState.RECONNECTING, "no port")
        assert isinstance(sleep, ps.Sleep)
        delays.append(sleep.delay)
    assert delays == [0.5, 1.0, 2.0, 2.0, 2.0]
    up(s)
    assert s.open_failed("no port")[-1] == ps.Sleep(0.5)  # a success starts again


def test_failed_open_without_reconnect_gives_up() -> None:
    s = session(reconnect=False)
    assert s.open_failed("busy") == (ps.EnterState(LinkState.DOWN, "busy"), ps.Stop())


def test_a_lost_established_link_reopens_after_the_shortest_backoff() -> None:
    s = up(session(backoff=(0.25, 5.0)))
    s.lost("eof")
    assert s.watch_ended() == (ps.Sleep(0.25),)
    assert s.reconnects == 1
    s = up(session(reconnect=False))
    s.lost("eof")
    assert s.watch_ended() == (ps.Stop(),)
    assert s.reconnects == 0


# --- watchful keep-alive and draining after a loss (issue 12) ----------------------------


def test_watchful_probes_after_a_short_quiet_with_a_short_deadline() -> None:
    s = up(session(keepalive=10.0))
    (sleep,) = s.tick(1.0, idle=True)
    assert isinstance(sleep, ps.Sleep) and sleep.delay == pytest.approx(9.0)
    s.watchful = True
    assert s.interval == ps.WATCHFUL_KEEPALIVE
    (probe,) = s.tick(ps.WATCHFUL_KEEPALIVE, idle=True)
    assert isinstance(probe, ps.SendKeepAlive) and probe.timeout == ps.WATCHFUL_TIMEOUT
    assert ps.WATCHFUL_KEEPALIVE + ps.WATCHFUL_TIMEOUT < 3.0  # a silent reboot within 3 s
    s.watchful = False
    (sleep,) = s.tick(ps.WATCHFUL_KEEPALIVE, idle=True)
    assert isinstance(sleep, ps.Sleep)


def test_a_loss_with_a_command_outstanding_drains_its_answer_before_the_first_at() -> None:
    s = up(session())
    s.lost("cable", pending=10.0)
    s.connecting("reopening")
    (wait,) = s.begin_init(now=20.0)
    assert isinstance(wait, ps.WaitQuiet)
    # nothing heard yet, the lost command's deadline (capped at DRAIN_MAX) not passed
    assert isinstance(s.quiet_checked(20.3)[0], ps.WaitQuiet)
    s.received(20.8, 0)  # its late answer arrives on the new connection
    assert isinstance(s.quiet_checked(20.9)[0], ps.WaitQuiet)  # not quiet yet
    (at,) = s.quiet_checked(21.2)  # heard it, then quiet: now the AT
    assert isinstance(at, ps.SendInit) and at.command.line == "AT"


def test_a_drain_ends_at_the_capped_deadline_when_nothing_comes() -> None:
    s = up(session())
    s.lost("cable", pending=60.0)
    s.connecting("reopening")
    s.begin_init(now=0.0)
    assert isinstance(s.quiet_checked(ps.DRAIN_MAX - 0.1)[0], ps.WaitQuiet)
    (at,) = s.quiet_checked(ps.DRAIN_MAX)
    assert isinstance(at, ps.SendInit)


def test_a_loss_with_nothing_outstanding_reopens_with_at_at_once() -> None:
    s = up(session())
    s.lost("cable")
    s.connecting("reopening")
    (at,) = s.begin_init(now=5.0)
    assert isinstance(at, ps.SendInit) and at.command.line == "AT"
