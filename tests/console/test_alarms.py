"""Alarm board: emergencies and detector alerts become alarms at once, two acknowledgements,
reminders on virtual time until acknowledged, queue order, merging of repeats, restore."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from console.config import demo_station
from console.eventlog import EventLog
from console.incidents import (
    Alarm,
    AlarmAcknowledged,
    AlarmBoard,
    AlarmEvent,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    AlarmRules,
    BadIncidentValueError,
    IncidentBook,
    IncidentState,
    MissingOperatorError,
    TextRule,
    UnknownAlarmError,
)
from drivers.clock import VirtualClock
from drivers.pei.events import IncomingCall, PeiEvent
from drivers.radio_events import StatusReceived, TextReceived
from tests.console.eventlogs import OpenLog

OFFICER = "张警官"
CONSOLE_ISSI = "1000"


class StandIn:
    """The gateway's subscribe/emit, nothing else: delivers real driver event objects."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[PeiEvent], None]] = []

    def subscribe(self, listener: Callable[[PeiEvent], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def emit(self, event: PeiEvent) -> None:
        for listener in list(self.listeners):
            listener(event)


def status(sender: str, value: int = 0) -> StatusReceived:
    return StatusReceived(sender, CONSOLE_ISSI, value)


def emergency_call(sender: str, priority: int = 15, cc: int = 3) -> IncomingCall:
    return IncomingCall(cc, 0, 1, sender, "9001", 0, priority)


def text(sender: str, body: str) -> TextReceived:
    return TextReceived(sender, CONSOLE_ISSI, body, 7, 26)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=500.0)


@pytest.fixture
def radio() -> StandIn:
    return StandIn()


@pytest.fixture
def events() -> list[AlarmEvent]:
    return []


@pytest.fixture
def board(
    radio: StandIn,
    book: IncidentBook,
    clock: VirtualClock,
    log: EventLog,
    events: list[AlarmEvent],
) -> Iterator[AlarmBoard]:
    board = AlarmBoard(radio, book, clock, log, demo_station())
    board.subscribe(events.append)
    yield board
    board.close()


def of(events: list[AlarmEvent], kind: type) -> list[AlarmEvent]:
    return [e for e in events if isinstance(e, kind)]


# -- raising ---------------------------------------------------------------------------


async def test_emergency_status_raises_alarm_incident_at_once(
    radio: StandIn, board: AlarmBoard, book: IncidentBook, log: EventLog, clock: VirtualClock,
    events: list[AlarmEvent],
) -> None:  # fmt: skip
    await clock.advance(12.0)
    radio.emit(status("2001"))
    [raised] = of(events, AlarmRaised)
    alarm = raised.alarm
    assert isinstance(alarm, Alarm)
    assert (alarm.kind, alarm.source, alarm.sender, alarm.alias) == (
        "emergency", "emergency_status", "2001", "星海实验小学保安队",
    )  # fmt: skip
    # First acknowledgement: received by the console, stamped when processed.
    assert (alarm.received_wall, alarm.received_mono) == (clock.time(), 512.0)
    assert not alarm.acknowledged and board.unacknowledged() == [alarm]
    inc = book.require(alarm.incident_id or "")
    assert inc.kind == "alarm" and inc.priority == "emergency" and inc.state is IncidentState.RAISED
    assert "星海实验小学保安队" in inc.title and inc.source == "radio:2001"
    assert book.active()[0] == inc
    assert [e.kind for e in inc.timeline] == ["incident.opened", "alarm.raised"]
    log.flush()
    rec = log.get(alarm.event_id or 0)
    assert rec is not None and rec.kind == "alarm.raised"
    assert (rec.wall, rec.mono, rec.operator, rec.unit, rec.incident) == (
        alarm.received_wall, 512.0, "console", "2001", inc.id,
    )  # fmt: skip
    assert rec.data["received"] is True and rec.data["value"] == 0


def test_other_statuses_are_not_alarms(radio: StandIn, board: AlarmBoard) -> None:
    radio.emit(status("2001", 0x8002))
    radio.emit(status("2001", 0x8004))
    assert board.alarms() == []


def test_emergency_call_raises_alarm(
    radio: StandIn, board: AlarmBoard, events: list[AlarmEvent]
) -> None:
    radio.emit(emergency_call("2002", priority=0))  # ordinary group call
    assert board.alarms() == []
    radio.emit(emergency_call("00023404", priority=15, cc=9))
    [alarm] = board.alarms()
    assert (alarm.source, alarm.sender, alarm.called, alarm.alias) == (
        "emergency_call", "23404", "9001", "23404",
    )  # fmt: skip
    assert isinstance(events[0], AlarmRaised)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("烟感报警: 3号楼2层配电间", "smoke"),
        ("  smoke detected zone 4", "smoke"),
        ("FIRE ALARM zone 3", "fire"),
        ("火警 厨房", "fire"),
    ],
)
def test_detector_text_raises_alarm(
    radio: StandIn, board: AlarmBoard, body: str, kind: str
) -> None:
    radio.emit(text("3100001", body))
    [alarm] = board.alarms()
    assert (alarm.kind, alarm.source, alarm.text, alarm.rule) == (kind, "text_rule", body, kind)


def test_ordinary_text_is_not_an_alarm(radio: StandIn, board: AlarmBoard) -> None:
    radio.emit(text("2001", "收到"))
    radio.emit(text("2001", "已处理烟感误报"))  # mentions smoke, does not start with it
    assert board.alarms() == []


def test_detector_set_limits_text_rules(
    radio: StandIn, book: IncidentBook, clock: VirtualClock, log: EventLog
) -> None:
    rules = AlarmRules(detector_issis=frozenset({"3100001"}))
    board = AlarmBoard(radio.subscribe, book, clock, log, rules=rules)  # a bare function
    radio.emit(text("2001", "SMOKE test"))
    assert board.alarms() == []
    radio.emit(text("3100001", "SMOKE 3F"))
    assert [a.sender for a in board.alarms()] == ["3100001"]
    radio.emit(status("2001"))  # emergencies come from any radio
    assert [a.sender for a in board.alarms()] == ["3100001", "2001"]
    board.close()


def test_rule_table_from_config_with_regex(
    radio: StandIn, book: IncidentBook, clock: VirtualClock, log: EventLog
) -> None:
    rules = AlarmRules.from_mapping(
        {
            "reminder_s": 5,
            "detectors": [3100001],
            "extend_defaults": True,
            "rules": [
                {"name": "gas", "kind": "gas", "pattern": r"\bGAS\s+LEAK\b", "label": "燃气告警"},
                {"name": "sos", "kind": "sos", "prefixes": ["SOS"], "senders": [2001]},
            ],
        }
    )
    assert rules.reminder_s == 5.0 and [r.name for r in rules.text_rules][-2:] == ["gas", "sos"]
    board = AlarmBoard(radio, book, clock, log, rules=rules)
    radio.emit(text("3100001", "zone 2: gas leak detected"))
    radio.emit(text("2001", "sos 被困电梯"))
    radio.emit(text("2002", "SOS"))  # not in that rule's senders, not a detector
    assert [(a.kind, a.sender) for a in board.alarms()] == [("gas", "3100001"), ("sos", "2001")]
    assert book.require(board.alarms()[0].incident_id or "").title.startswith("燃气告警")
    board.close()


def test_bad_rules_are_refused() -> None:
    with pytest.raises(BadIncidentValueError):
        TextRule("empty", "x")
    with pytest.raises(BadIncidentValueError) as err:
        TextRule("bad", "x", pattern="([")
    assert err.value.hint
    with pytest.raises(BadIncidentValueError):
        AlarmRules(reminder_s=0)


HOSTILE = "SMOKE \x1b[2J\x1b]0;owned\x07[bold red]火[/] <b>&amp;</b> \\x41 %s {x} \u202e\x00 \ud83d"


async def test_hostile_text_is_stored_verbatim(
    radio: StandIn, board: AlarmBoard, book: IncidentBook, log: EventLog,
    clock: VirtualClock,
) -> None:  # fmt: skip
    radio.emit(text("3100001", HOSTILE))
    [alarm] = board.alarms()
    assert alarm.text == HOSTILE
    inc = book.require(alarm.incident_id or "")
    assert inc.timeline[-1].text == HOSTILE
    assert HOSTILE not in inc.title  # the title is ours, the radio's text stays in the data
    log.flush()
    [rec] = log.query(kinds=["alarm.raised"])
    assert rec.data["text"] == HOSTILE


# -- acknowledgements and reminders ------------------------------------------------------


async def test_two_acknowledgements_with_times(
    radio: StandIn, board: AlarmBoard, book: IncidentBook, log: EventLog, clock: VirtualClock,
    events: list[AlarmEvent],
) -> None:  # fmt: skip
    radio.emit(status("2001"))
    received_wall = clock.time()
    await clock.advance(25.0)
    acked = board.acknowledge("ALM-0001", OFFICER)
    assert acked.acknowledged and acked.acknowledged_by == OFFICER
    assert acked.received_wall == received_wall
    assert (acked.acknowledged_wall, acked.acknowledged_mono) == (received_wall + 25.0, 525.0)
    assert board.unacknowledged() == []
    assert isinstance(events[-1], AlarmAcknowledged) and events[-1].alarm == acked
    inc = book.require(acked.incident_id or "")
    assert [e.kind for e in inc.timeline][-1] == "alarm.acknowledged"
    assert inc.timeline[-1].operator == OFFICER
    log.flush()
    rows = [(r.kind, r.operator, r.mono) for r in log.query(kinds=["alarm.*"])]
    assert rows == [("alarm.raised", "console", 500.0), ("alarm.acknowledged", OFFICER, 525.0)]
    [ack] = log.query(kinds=["alarm.acknowledged"])
    assert ack.data == {"alarm": "ALM-0001", "waited_s": 25.0}
    # A second press changes nothing and logs nothing.
    assert board.acknowledge("ALM-0001", "李警官") == acked
    log.flush()
    assert len(list(log.query(kinds=["alarm.acknowledged"]))) == 1


def test_acknowledge_errors(radio: StandIn, board: AlarmBoard) -> None:
    with pytest.raises(UnknownAlarmError) as err:
        board.acknowledge("ALM-0042", OFFICER)
    assert err.value.hint
    radio.emit(status("2001"))
    with pytest.raises(MissingOperatorError):
        board.acknowledge("ALM-0001", " ")
    assert board.unacknowledged()


async def test_reminders_every_10s_until_acknowledged(
    radio: StandIn, board: AlarmBoard, clock: VirtualClock, events: list[AlarmEvent]
) -> None:
    radio.emit(status("2001"))
    await clock.advance(9.999)
    assert of(events, AlarmReminder) == []
    await clock.advance(25.0)  # t = +34.999
    reminders = [e for e in events if isinstance(e, AlarmReminder)]
    assert [(r.number, r.mono, r.waiting_s) for r in reminders] == [
        (1, 510.0, 10.0), (2, 520.0, 20.0), (3, 530.0, 30.0),
    ]  # fmt: skip
    board.acknowledge("ALM-0001", OFFICER)
    await clock.advance(100.0)
    assert len(of(events, AlarmReminder)) == 3
    assert clock.next_due() is None  # no timer left behind


async def test_reminder_interval_is_configurable(
    radio: StandIn, book: IncidentBook, clock: VirtualClock, log: EventLog
) -> None:
    board = AlarmBoard(radio, book, clock, log, rules=AlarmRules(reminder_s=3.0))
    seen: list[AlarmEvent] = []
    board.subscribe(seen.append)
    radio.emit(status("2001"))
    await clock.advance(10.0)
    assert [e.mono for e in seen if isinstance(e, AlarmReminder)] == [503.0, 506.0, 509.0]
    board.close()
    await clock.advance(10.0)
    assert len(of(seen, AlarmReminder)) == 3


async def test_several_alarms_queue_in_arrival_order(
    radio: StandIn, board: AlarmBoard, clock: VirtualClock, events: list[AlarmEvent]
) -> None:
    radio.emit(status("2003"))
    await clock.advance(4.0)
    radio.emit(text("3100001", "烟感 2F"))
    await clock.advance(4.0)
    radio.emit(emergency_call("2001"))
    assert [a.sender for a in board.unacknowledged()] == ["2003", "3100001", "2001"]
    assert [a.id for a in board.unacknowledged()] == ["ALM-0001", "ALM-0002", "ALM-0003"]
    board.acknowledge("ALM-0002", OFFICER)
    assert [a.id for a in board.unacknowledged()] == ["ALM-0001", "ALM-0003"]
    await clock.advance(12.0)  # now +20 from the first alarm
    reminded = [(e.alarm.id, e.mono) for e in events if isinstance(e, AlarmReminder)]
    # each alarm nags on its own 10 s rhythm; the acknowledged one is silent
    assert reminded == [("ALM-0001", 510.0), ("ALM-0003", 518.0), ("ALM-0001", 520.0)]
    assert [a.id for a in board.alarms()] == ["ALM-0001", "ALM-0002", "ALM-0003"]


# -- repeats ---------------------------------------------------------------------------


async def test_repeated_emergency_merges_into_open_alarm(
    radio: StandIn, board: AlarmBoard, book: IncidentBook, log: EventLog, clock: VirtualClock,
    events: list[AlarmEvent],
) -> None:  # fmt: skip
    radio.emit(status("2001"))
    await clock.advance(2.0)
    radio.emit(emergency_call("2001"))  # SOS key: emergency status and emergency call
    await clock.advance(3.0)
    radio.emit(status("2001"))  # the radio retries
    radio.emit(status("2002"))  # another radio: its own alarm
    [first, other] = board.alarms()
    assert first.count == 3 and first.repeats == (
        (first.received_wall + 2.0, 502.0), (first.received_wall + 5.0, 505.0),
    )  # fmt: skip
    assert other.sender == "2002" and other.count == 1
    assert len(of(events, AlarmRaised)) == 2 and len(of(events, AlarmRepeated)) == 2
    assert len(book.active()) == 2
    log.flush()
    repeats = list(log.query(kinds=["alarm.repeated"]))
    assert [(r.data["source"], r.incident, r.unit) for r in repeats] == [
        ("emergency_call", first.incident_id, "2001"),
        ("emergency_status", first.incident_id, "2001"),
    ]
    # After the officer acknowledged, the radio's next emergency is news: a new alarm on
    # the same (still open) incident, with its own banner and reminders.
    board.acknowledge(first.id, OFFICER)
    radio.emit(status("2001"))
    assert board.get(first.id).count == 3 and board.get(first.id).acknowledged  # type: ignore[union-attr]
    again = board.get("ALM-0003")
    assert again is not None and again.sender == "2001" and not again.acknowledged
    assert again.incident_id == first.incident_id and len(book.active()) == 2
    assert isinstance(events[-1], AlarmRaised) and events[-1].alarm == again
    radio.emit(status("2001"))  # its own repeats fold into the new alarm
    assert board.get("ALM-0003").count == 2  # type: ignore[union-attr]
    await clock.advance(10.0)
    assert {e.alarm.id for e in of(events, AlarmReminder)} == {"ALM-0002", "ALM-0003"}
    # Once its incident is closed, a new emergency from that radio opens a new incident.
    board.acknowledge("ALM-0003", OFFICER)
    book.transition(first.incident_id or "", IncidentState.CLOSED, operator=OFFICER)
    radio.emit(status("2001"))
    assert [a.id for a in board.unacknowledged()] == ["ALM-0002", "ALM-0004"]
    assert board.get("ALM-0004").incident_id != first.incident_id  # type: ignore[union-attr]


def test_same_radio_different_alarm_kinds_do_not_merge(radio: StandIn, board: AlarmBoard) -> None:
    radio.emit(text("3100001", "SMOKE 1F"))
    radio.emit(text("3100001", "FIRE ALARM 1F"))
    radio.emit(text("3100001", "SMOKE 1F again"))
    assert [(a.kind, a.count) for a in board.alarms()] == [("smoke", 2), ("fire", 1)]


# -- robustness and restart ------------------------------------------------------------


async def test_alarm_shown_even_if_log_refuses(
    radio: StandIn, clock: VirtualClock, open_log: OpenLog, events: list[AlarmEvent]
) -> None:
    log = open_log(clock)
    book = IncidentBook(clock, log)
    board = AlarmBoard(radio, book, clock, log)
    board.subscribe(events.append)
    log.close()  # appends now raise LogClosed
    radio.emit(status("2001"))  # must not raise into the gateway
    [alarm] = board.unacknowledged()
    assert alarm.incident_id is None and alarm.event_id is None
    await clock.advance(10.0)
    assert [type(e) for e in events] == [AlarmRaised, AlarmReminder]
    radio.emit(status("2001"))
    assert board.unacknowledged()[0].count == 2
    assert board.acknowledge(alarm.id, OFFICER).acknowledged
    board.close()


def test_close_unsubscribes(radio: StandIn, board: AlarmBoard) -> None:
    board.close()
    radio.emit(status("2001"))
    assert board.alarms() == [] and radio.listeners == []


async def test_restore_alarms_after_restart(open_log: OpenLog, clock: VirtualClock) -> None:
    radio = StandIn()
    log = open_log(clock)
    book = IncidentBook(clock, log)
    board = AlarmBoard(radio, book, clock, log, demo_station())
    radio.emit(status("2001"))
    await clock.advance(1.0)
    radio.emit(text("3100001", HOSTILE))
    radio.emit(status("2001"))
    await clock.advance(1.0)
    board.acknowledge("ALM-0001", OFFICER)
    radio.emit(emergency_call("2002"))
    live = board.alarms()
    live_incidents = book.all()
    board.close()
    log.close()

    clock2 = VirtualClock(start=10.0)
    log2 = open_log(clock2)
    radio2 = StandIn()
    book2 = IncidentBook.restore(log2, clock2)
    board2 = AlarmBoard.restore(radio2, book2, clock2, log2, demo_station())
    assert board2.alarms() == live
    assert book2.all() == live_incidents
    assert [a.id for a in board2.unacknowledged()] == ["ALM-0002", "ALM-0003"]
    seen: list[AlarmEvent] = []
    board2.subscribe(seen.append)
    await clock2.advance(10.0)  # reminders resume, counted from the restart
    assert sorted(e.alarm.id for e in seen if isinstance(e, AlarmReminder)) == [
        "ALM-0002", "ALM-0003",
    ]  # fmt: skip
    radio2.emit(status("2002"))  # ALM-0003 (2002's emergency call) is open: merged
    assert board2.get("ALM-0003").count == 2  # type: ignore[union-attr]
    radio2.emit(status("2001"))  # ALM-0001 was acknowledged: a new alarm, same incident
    assert board2.alarms()[-1].id == "ALM-0004"
    assert board2.alarms()[-1].incident_id == board2.get("ALM-0001").incident_id  # type: ignore[union-attr]
    board2.close()


# -- who raised it ---------------------------------------------------------------------


async def test_the_incident_an_alarm_opens_names_the_officer_on_duty(
    radio: StandIn, book: IncidentBook, clock: VirtualClock, log: EventLog
) -> None:
    """上报 names the officer (not "console"); the source says the radio; the alarm record
    itself stays the console's, which logged it alone."""
    with contextlib.closing(
        AlarmBoard(radio, book, clock, log, demo_station(), operator=OFFICER)
    ) as board:
        radio.emit(status("2004"))
        [alarm] = board.alarms()
        inc = book.require(alarm.incident_id or "")
        assert inc.opened_by == OFFICER and inc.source == "radio:2004"
        log.flush()
        [opened] = log.query(kinds=["incident.opened"])
        assert opened.operator == OFFICER and opened.data["source"] == "radio:2004"
        [raised] = log.query(kinds=["alarm.raised"])
        assert raised.operator == "console"


async def test_without_an_operator_the_station_s_officer_raises_it(
    radio: StandIn, board: AlarmBoard, book: IncidentBook
) -> None:
    radio.emit(status("2001"))
    [alarm] = board.alarms()
    assert book.require(alarm.incident_id or "").opened_by == demo_station().operator
