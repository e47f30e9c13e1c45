"""Roll calls from the console: one at a time, by this operator, reported in the feed.

The roll call itself (calling, answers, deadline) is :class:`~console.rollcall.RollCall`
on the paging engine; this keeps the newest one and its task, refuses a second while one
runs, mints its id, and reads past roll calls back from the event log (flushed first, so
a query sees what was just appended).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from console.errors import ConsoleError
from console.paging.engine import PagingEngine
from console.reports import Report, rollcall_report
from console.rollcall import (
    RollCall,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallSummary,
    RollCallUpdate,
    list_rollcalls,
    load_rollcall,
    recall_spec,
    rollcall_spec,
    spec_from_log,
)
from console.runtime.shared import Shared, cancel_and_wait
from console.runtime.view import ServiceEvent


class RollCalls:
    """The console's roll calls: the running (or newest) one and the logged ones."""

    def __init__(self, shared: Shared, paging: PagingEngine) -> None:
        self.shared = shared
        self.paging = paging
        self.current: RollCall | None = None
        """The newest roll call started here (running or finished)."""
        self._task: asyncio.Task[RollCallResult] | None = None

    def spec(
        self,
        names: str | list[str] | tuple[str, ...],
        *,
        mode: RollCallMode | str = RollCallMode.STATUS,
        deadline_s: float | None = None,
        late_window_s: float | None = None,
    ) -> RollCallSpec:
        """Resolve a group (or aliases, numbers) into a roll call by this operator."""
        return rollcall_spec(
            self.shared.station,
            names,
            mode=mode,
            deadline_s=deadline_s,
            late_window_s=late_window_s,
            operator=self.shared.operator,
        )

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, spec: RollCallSpec) -> RollCall:
        """Call ``spec``'s members now; the roll call closes by itself (or :meth:`stop`).

        One at a time: a second one while the first still runs is refused.
        """
        if self.running:
            assert self.current is not None
            raise ConsoleError(
                f"roll call {self.current.rollcall_id} is still running",
                hint="wait for it to end or stop it first",
            )
        if not spec.members:
            raise ConsoleError("nobody to call")
        if not spec.operator:
            spec = replace(spec, operator=self.shared.operator)
        taken = {r.rollcall_id for r in self.summaries()}
        call = RollCall(self.paging, spec, rollcall_id=self.shared.ids.new_id("RC", taken=taken))
        call.subscribe(self._on_update)
        self.current = call
        call.start()
        self._task = asyncio.ensure_future(call.finish())
        self._task.add_done_callback(self.shared.task_done)
        self.shared.after_append()
        self.shared.feed.push(
            ServiceEvent("rollcall", RollCallUpdate(call.snapshot(), ()), call.rollcall_id)
        )
        return call

    def stop(self) -> RollCallResult | None:
        """End the running roll call now (silent members are absent); its result."""
        call = self.current
        if call is None or not self.running:
            return None
        result = call.stop()
        self.shared.after_append()
        return result

    def recall_absent(self, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of the newest roll call (None: nobody to call)."""
        call = self.current
        if call is None:
            return None
        spec = call.recall_spec(include_unreachable=include_unreachable)
        return self.start(spec) if spec.members else None

    def recall_of(self, rollcall_id: str, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of any logged roll call."""
        self.shared.flush_log()
        log = self.shared.log
        spec = recall_spec(
            spec_from_log(log, rollcall_id),
            load_rollcall(log, rollcall_id),
            include_unreachable=include_unreachable,
        )
        return self.start(spec) if spec.members else None

    def summaries(self) -> list[RollCallSummary]:
        """Every roll call in the log, oldest first."""
        self.shared.flush_log()
        return list_rollcalls(self.shared.log)

    def result(self, rollcall_id: str) -> RollCallResult:
        """A logged roll call (raises ``RollCallNotFound``)."""
        self.shared.flush_log()
        return load_rollcall(self.shared.log, rollcall_id)

    def report(self, rollcall_id: str) -> Report:
        self.shared.flush_log()
        return rollcall_report(self.shared.log, rollcall_id)

    def _on_update(self, update: RollCallUpdate) -> None:
        self.shared.push(ServiceEvent("rollcall", update, update.result.rollcall_id))

    async def close(self) -> None:
        """A roll call still running when the console closes is logged as interrupted."""
        await cancel_and_wait(self._task)
