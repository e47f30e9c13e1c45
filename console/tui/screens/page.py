"""F2: a new page -- one call, many responders -- entirely from the keyboard.

The officer filters the station's units and groups by typing (Chinese alias, English
name, ISSI/GSSI number, or a kind such as 学校), multi-selects with Space, picks a
prepared message (the station's templates) or types one, chooses text / voice group call
/ loudspeaker zones, checks the 1 / 3 / 5 minute targets (the station's, editable), and
sends with Ctrl+S.  Anything that reaches many units, a talkgroup or loudspeakers asks
first (count and text shown; Enter sends, Esc cancels).

The screen decides nothing about paging: it gathers a :class:`~console.paging.order.
PageOrder`; :mod:`console.paging.order` says whether it is complete and must be
confirmed and turns it into a :class:`~console.paging.model.PageRequest`, and
:meth:`Runtime.page` sends it; loudspeakers go through :meth:`Runtime.start_broadcast`
when the station has a broadcast engine (``runtime.broadcast_available``; a console
attached to the station service asks the service) -- otherwise the option is shown
disabled with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from console.broadcast import BroadcastError, SourceSpec
from console.config import Group, Station, Unit
from console.errors import ConsoleError, say_message
from console.paging.model import PageRequest
from console.paging.order import PageOrder, PageOrderError, check, needs_confirmation, radio_request
from console.tui.offloop import command
from console.tui.render import fit, inert
from console.tui.strings import Key, tr
from console.tui.widgets.dialogs import ConfirmDialog
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.screenkeys import bind_keys

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

PAGE_KEYS: tuple[Key, ...] = (
    Key("ctrl+s", "send", "发送", "Send"),
    Key("ctrl+o", "next_kind", "按类型", "Kind filter"),
    Key("ctrl+r", "select_shown", "全选所列", "Select shown"),
    Key("ctrl+g", "select_members", "选组内成员", "Group members"),
    Key("f3", "repage_silent", "重呼未应答", "Re-page silent"),
    Key("escape", "close", "返回", "Back"),
)
"""Keys of the page screen (Space selects a row, Tab moves between fields)."""


@dataclass(frozen=True)
class Choice:
    """One row of the target list: a unit (``u:<issi>``) or a group (``g:<name>``)."""

    value: str
    token: str
    """What :func:`build_request` resolves (``issi:2001``, ``gssi:9011`` or a list name)."""
    words: tuple[str, ...]
    """Everything the filter matches against, case-folded."""
    kind: str | None
    """The unit's kind (``None`` for a group)."""
    members: tuple[str, ...] = ()
    """For a group: the values of its member units."""


def unit_choice(unit: Unit) -> Choice:
    words = (
        unit.alias,
        unit.name_en,
        str(unit.issi),
        unit.kind,
        tr(f"kind.{unit.kind}", "zh-CN"),
        tr(f"kind.{unit.kind}", "en"),
    )
    return Choice(
        f"u:{unit.issi}", f"issi:{unit.issi}", tuple(w.casefold() for w in words if w), unit.kind
    )


def group_choice(station: Station, group: Group) -> Choice:
    token = f"gssi:{group.gssi}" if group.gssi is not None else group.name
    words = (group.name, group.name_en, str(group.gssi or ""))
    members = tuple(f"u:{u.issi}" for u in station.members_of(group))
    return Choice(f"g:{group.name}", token, tuple(w.casefold() for w in words if w), None, members)


def matches(choice: Choice, query: str, kind: str | None) -> bool:
    """Shown for this filter text and kind?  Every blank-separated word must match."""
    if kind is not None and choice.kind != kind:
        return False
    return all(any(word in w for w in choice.words) for word in query.casefold().split())


class PageScreen(Screen[None]):
    """Select, compose, confirm, send.  ``incident_id`` pages for an open incident."""

    DEFAULT_CSS = """
    PageScreen #page-head { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    PageScreen #page-body { height: 1fr; }
    PageScreen #page-left { width: 1fr; }
    PageScreen #page-right { width: 1fr; }
    PageScreen #page-kind { height: 1; padding: 0 1; color: $text-muted; }
    PageScreen #page-targets { height: 1fr; border: round $primary-lighten-1; }
    PageScreen #page-templates { height: 1fr; min-height: 4; border: round $secondary; }
    PageScreen #page-modes { height: 1; }
    PageScreen #page-modes Checkbox { width: auto; margin-right: 1; }
    PageScreen #speakers-why { height: auto; color: $text-muted; padding: 0 1; }
    PageScreen #page-zones { height: auto; max-height: 5; border: round $secondary; }
    PageScreen #page-zones.-off { display: none; }
    PageScreen #page-deadlines { height: 1; }
    PageScreen #page-deadlines Label { padding: 0 1; }
    PageScreen #page-deadlines Label.deadline { color: $text-muted; }
    PageScreen #page-deadlines Input { width: 5; }
    PageScreen #page-summary { height: auto; padding: 0 1; background: $panel; }
    PageScreen Input { margin: 0; }
    """

    def __init__(self, desk: DutyDeskApp, *, incident_id: str | None = None) -> None:
        super().__init__(id="page-screen")
        bind_keys(self, PAGE_KEYS, desk.lang)
        self.screen_keys = PAGE_KEYS
        self.desk = desk
        self.runtime = desk.runtime
        self.lang = desk.lang
        self.incident_id = incident_id
        station = self.runtime.station
        self.choices: dict[str, Choice] = {}
        for group in station.groups:
            choice = group_choice(station, group)
            self.choices[choice.value] = choice
        for unit in station.units:
            choice = unit_choice(unit)
            self.choices[choice.value] = choice
        self.labels: dict[str, Text] = self._labels(station)
        self.kinds: tuple[str | None, ...] = (None, *dict.fromkeys(u.kind for u in station.units))
        self.kind: str | None = None
        self.query_text = ""
        self.selected: set[str] = set()
        self.shown: list[str] = []
        self.template_title = ""
        self.speakers = bool(desk.runtime.broadcast_available)
        self._rebuilding = False
        self.last_page_id: str | None = None

    # --- layout -------------------------------------------------------------------------

    def _labels(self, station: Station) -> dict[str, Text]:
        lang = self.lang
        labels: dict[str, Text] = {}
        for group in station.groups:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append("◆ ", style="bold")
            text.append_text(fit(group.display_name(lang), 18, "bold"))
            number = str(group.gssi) if group.gssi is not None else tr("page.list", lang)
            text.append(f" {number:>5} ")
            text.append(tr("page.members", lang, n=len(group.members)), style="dim")
            labels[f"g:{group.name}"] = text
        for unit in station.units:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append_text(fit(unit.display_name(lang), 20))
            text.append(f" {unit.issi:>5} ")
            text.append(tr(f"kind.{unit.kind}", lang), style="dim")
            labels[f"u:{unit.issi}"] = text
        return labels

    def compose(self) -> ComposeResult:
        lang, station = self.lang, self.runtime.station
        yield Static(self._head(), id="page-head", markup=False)
        with Horizontal(id="page-body"):
            with Vertical(id="page-left"):
                yield Input(placeholder=tr("page.filter", lang), id="page-filter", compact=True)
                yield Static(self._kind_text(), id="page-kind", markup=False)
                targets: SelectionList[str] = SelectionList(id="page-targets")
                targets.border_title = tr("page.recipients", lang)
                yield targets
            with Vertical(id="page-right"):
                templates = OptionList(
                    *(Option(inert(t.display_title(lang)), id=t.id) for t in station.templates),
                    id="page-templates",
                )
                templates.border_title = tr("page.templates", lang)
                yield templates
                yield Input(placeholder=tr("page.text", lang), id="page-text", compact=True)
                with Horizontal(id="page-modes"):
                    yield Checkbox(tr("page.mode.text", lang), True, id="mode-text", compact=True)
                    yield Checkbox(
                        tr("page.mode.voice", lang), False, id="mode-voice", compact=True
                    )
                    yield Checkbox(
                        tr("page.mode.speakers", lang),
                        False,
                        id="mode-speakers",
                        compact=True,
                        disabled=self._speakers_why() is not None,
                    )

                yield Checkbox(
                    tr("page.mode.fast", lang),
                    station.paging.mode == "fast",
                    id="mode-fast",
                    compact=True,
                )
                yield Static(self._speakers_why() or "", id="speakers-why", markup=False)
                zones: SelectionList[str] = SelectionList(
                    *(Selection(inert(z.display_name(lang)), z.id) for z in station.zones),
                    id="page-zones",
                )
                zones.border_title = tr("page.zones", lang)
                zones.add_class("-off")
                yield zones
        t = station.deadlines
        with Horizontal(id="page-deadlines"):
            yield Label(tr("page.deadlines", lang))
            fields = (
                ("t-ack", "page.deadline.ack", t.acknowledge_s),
                ("t-enroute", "page.deadline.en_route", t.en_route_s),
                ("t-onscene", "page.deadline.on_scene", t.on_scene_s),
            )
            for wid, label, seconds in fields:
                yield Label(tr(label, lang), classes="deadline")
                yield Input(str(seconds), id=wid, compact=True, type="integer")
        yield Static("", id="page-summary", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self._rebuild()
        self._summarise()
        self.query_one("#page-filter", Input).focus()

    def _head(self) -> Text:
        text = Text(tr("page.title", self.lang), no_wrap=True, overflow="ellipsis")
        if self.incident_id is not None:
            text.append("  ")
            text.append(tr("page.for_incident", self.lang))
            text.append(" ")
            text.append_text(inert(self.incident_id, "bold"))
        text.append("   ")
        text.append(tr("page.keys", self.lang), style="dim")
        return text

    def _kind_text(self) -> Text:
        kind = self.kind
        label = tr("page.kind.all", self.lang) if kind is None else tr(f"kind.{kind}", self.lang)
        return Text(tr("page.kind", self.lang, kind=label), no_wrap=True)

    def _speakers_why(self) -> str | None:
        """Why loudspeakers cannot be chosen (None: they can)."""
        if not self.speakers:
            return tr("page.speakers.no_engine", self.lang)
        if not self.runtime.station.zones:
            return tr("page.speakers.no_zones", self.lang)
        return None

    # --- the target list ----------------------------------------------------------------

    def _rebuild(self) -> None:
        """Show the rows the filter lets through, keeping what is selected."""
        query, kind = self.query_text, self.kind
        self.shown = [v for v, c in self.choices.items() if matches(c, query, kind)]
        if kind is not None:
            self.shown = [v for v in self.shown if v.startswith("u:")]
        targets = self.query_one("#page-targets", SelectionList)
        self._rebuilding = True
        targets.clear_options()
        targets.add_options([Selection(self.labels[v], v, v in self.selected) for v in self.shown])
        self._rebuilding = False
        if self.shown:
            targets.highlighted = 0
        targets.border_subtitle = tr(
            "page.shown", self.lang, n=len(self.shown), total=len(self.choices)
        )

    @on(Input.Changed, "#page-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._rebuild()

    @on(Input.Submitted, "#page-filter")
    def _filter_done(self) -> None:
        self.query_one("#page-targets", SelectionList).focus()

    @on(SelectionList.SelectedChanged, "#page-targets")
    def _targets_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        if self._rebuilding:
            return
        chosen = set(event.selection_list.selected)
        for value in self.shown:
            if value in chosen:
                self.selected.add(value)
            else:
                self.selected.discard(value)
        self._summarise()

    def select(self, values: Iterable[str]) -> None:
        """Add ``values`` to the selection (tests and key actions)."""
        self.selected.update(v for v in values if v in self.choices)
        self._rebuild()
        self._summarise()

    def action_next_kind(self) -> None:
        i = self.kinds.index(self.kind)
        self.kind = self.kinds[(i + 1) % len(self.kinds)]
        self.query_one("#page-kind", Static).update(self._kind_text())
        self._rebuild()

    def action_select_shown(self) -> None:
        self.select(self.shown)

    def action_select_members(self) -> None:
        """The highlighted group's members, each selected on its own (then deselect some)."""
        targets = self.query_one("#page-targets", SelectionList)
        index = targets.highlighted
        if index is None or index >= len(self.shown):
            return
        choice = self.choices[self.shown[index]]
        if not choice.members:
            return
        self.selected.discard(choice.value)
        self.select(choice.members)

    # --- the message --------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#page-templates")
    def _template(self, event: OptionList.OptionSelected) -> None:
        template = self.runtime.station.template(event.option.id or "")
        if template is None:
            return
        self.use_template(template.id)
        self.query_one("#page-text", Input).focus()

    def use_template(self, template_id: str) -> None:
        """Put the template's text (in the officer's language) in the message field."""
        template = self.runtime.station.template(template_id)
        if template is None:
            return
        text = template.text_en if self.lang == "en" and template.text_en else template.text
        self.template_title = template.display_title(self.lang)
        self.query_one("#page-text", Input).value = text

    @on(Input.Changed, "#page-text")
    @on(Checkbox.Changed)
    def _message_changed(self) -> None:
        speakers = self.query_one("#mode-speakers", Checkbox).value
        self.query_one("#page-zones", SelectionList).set_class(not speakers, "-off")
        self._summarise()

    @on(Input.Submitted, "#page-text")
    def _text_done(self) -> None:
        self.action_send()

    # --- building and sending -----------------------------------------------------------

    def _modes(self) -> tuple[bool, bool, bool]:
        return (
            self.query_one("#mode-text", Checkbox).value,
            self.query_one("#mode-voice", Checkbox).value,
            self.query_one("#mode-speakers", Checkbox).value and self._speakers_why() is None,
        )

    def zones(self) -> list[str]:
        return list(self.query_one("#page-zones", SelectionList).selected)

    def order(self) -> PageOrder:
        """What is on screen, as the officer typed it."""
        text_on, voice_on, speakers_on = self._modes()
        return PageOrder(
            tokens=tuple(self.choices[v].token for v in self.choices if v in self.selected),
            text=self.query_one("#page-text", Input).value,
            text_on=text_on,
            voice_on=voice_on,
            speakers_on=speakers_on,
            zones=tuple(self.zones()) if speakers_on else (),
            deadlines=(
                self.query_one("#t-ack", Input).value,
                self.query_one("#t-enroute", Input).value,
                self.query_one("#t-onscene", Input).value,
            ),
            fast=self.query_one("#mode-fast", Checkbox).value,
            operator=self.runtime.operator,
        )

    def build(self) -> PageRequest | None:
        """The request for what is on screen (``None`` if nothing is paged by radio).

        Raises :class:`PageOrderError` (worded by :meth:`problem`) or the station's
        :class:`ConsoleError` for an unknown target.
        """
        return radio_request(self.order(), self.runtime.station)

    def problem(self, exc: ConsoleError) -> str:
        """The officer's wording of why the page cannot go out."""
        if isinstance(exc, PageOrderError):
            return tr(f"page.err.{exc.reason}", self.lang, value=exc.value)
        return say_message(exc, self.lang)

    def _summarise(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#page-summary", Static).update(self.summary())

    def summary(self) -> Text:
        lang = self.lang
        text = Text(no_wrap=False)
        try:
            request = self.build()
        except ConsoleError as exc:
            request = None
            problem = self.problem(exc)
        else:
            problem = ""
        units = len(request.recipients) if request is not None else 0
        groups = len(request.talkgroups) if request is not None else 0
        text.append(
            tr("page.summary", lang, units=units, groups=groups, picked=len(self.selected)),
            style="bold",
        )
        if self._modes()[2]:
            text.append("  ")
            text.append(tr("page.summary.zones", lang, n=len(self.zones())))
        if problem:
            text.append("  ")
            text.append_text(inert(problem, "yellow"))
        return text

    def action_send(self) -> None:
        """Check, confirm if it reaches many, then send."""
        lang = self.lang
        order = self.order()
        zones, text = list(order.zones), order.message
        try:
            request = check(order, self.runtime.station)
        except ConsoleError as exc:
            self.notify(self.problem(exc), severity="warning", markup=False)
            return
        if needs_confirmation(request, zones):
            body = self.confirm_text(request, zones, text)
            self.app.push_screen(
                ConfirmDialog(tr("page.confirm.title", lang), body, lang),
                lambda ok: self._send(request, zones, text) if ok else self._cancelled(),
            )
        else:
            self._send(request, zones, text)

    def confirm_text(self, request: PageRequest | None, zones: list[str], text: str) -> Text:
        lang = self.lang
        body = Text()
        if request is not None:
            body.append(tr("page.confirm.units", lang, n=len(request.recipients)), style="bold")
            if request.talkgroups:
                body.append("\n")
                body.append(tr("page.confirm.voice", lang, n=len(request.talkgroups)))
                body.append(" ")
                body.append_text(inert(", ".join(str(g) for g in request.talkgroups)))
        if zones:
            body.append("\n")
            body.append(tr("page.confirm.zones", lang, n=len(zones)), style="bold")
            body.append(" ")
            names = [z.display_name(lang) for z in self.runtime.station.zones if z.id in zones]
            body.append_text(inert(", ".join(names)))
        if text:
            body.append("\n\n")
            body.append_text(inert(text, "bold"))
        return body

    def _cancelled(self) -> None:
        self.notify(tr("page.cancelled", self.lang), markup=False)

    def _send(self, request: PageRequest | None, zones: list[str], text: str) -> None:
        """Page, then shout; the screen closes once the page is in (or at once when only
        loudspeakers were asked).  A refused page keeps the screen open with its reason."""
        lang, runtime = self.lang, self.runtime
        if request is None:
            self._broadcast(zones, text, self.incident_id)
            self._finish(None)
            return
        if self.template_title:
            request = replace(request, title=self.template_title)
        n = len(request.recipients)
        asked = request

        def paged(page_id: str) -> None:
            view = runtime.paging.view(page_id)
            incident = (view.incident_id if view is not None else None) or self.incident_id
            if getattr(runtime.link_status, "state", "up") == "up":
                self.notify(tr("page.sent", lang, id=page_id, n=n), markup=False)
            else:  # honest: it waits in the queue until the gateway is back
                self.notify(
                    tr("page.queued", lang, id=page_id, n=n), severity="warning", markup=False
                )
            self._broadcast(zones, text, incident)
            self._finish(page_id)

        def refused(exc: Exception) -> None:
            message = say_message(exc, lang)
            self.notify(message, severity="error", markup=False)

        incident_id = self.incident_id
        command(
            self.app,
            runtime,
            lambda: runtime.page(asked, incident_id=incident_id),
            paged,
            refused,
            (ValueError, ConsoleError),
        )

    def _broadcast(self, zones: list[str], text: str, incident: str | None) -> None:
        if not (zones and self.speakers):
            return
        lang, runtime = self.lang, self.runtime

        def started(broadcast: Any) -> None:
            self.notify(tr("page.broadcast_started", lang, id=broadcast.id), markup=False)

        def failed(exc: Exception) -> None:
            message = say_message(exc, lang)
            self.notify(
                tr("page.broadcast_failed", lang, error=message), severity="error", markup=False
            )

        command(
            self.app,
            runtime,
            lambda: runtime.start_broadcast(
                zones, SourceSpec.tts(text), operator=runtime.operator, incident=incident
            ),
            started,
            failed,
            (BroadcastError, ConsoleError, ValueError),
        )

    def _finish(self, page_id: str | None) -> None:
        self.last_page_id = page_id
        if self.is_attached:
            self.dismiss()

    def action_repage_silent(self) -> None:
        self.desk.action_repage_silent()

    def action_close(self) -> None:
        self.dismiss()


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F2 from the main screen."""
    return PageScreen(app)
