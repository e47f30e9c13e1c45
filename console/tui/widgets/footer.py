"""The key footer of the main screen: rebuilt only when its keys change, without a leak.

Textual's :class:`~textual.widgets.Footer` recomposes (removes and mounts all its key
widgets) whenever the screen's bindings are signalled -- on the main screen, every time
a screen opened over it closes, though the keys are the same as before.  Each rebuilt
key also stayed alive: a ``FooterKey`` data-binds ``compact`` from the Footer, and the
Footer's watcher list is pruned of removed nodes only when ``compact`` changes, which it
never does.  On the main screen, which lives for the whole shift, that was ~10 widgets
with their render caches (~6 000 objects) per F1/Esc -- more for every full pass of the
garbage collector to walk, and more work on the key press that closes a screen.

Every screen's footer shows the alarm key first: Textual lists the focused widget's and
the screen's keys before the App's, and at 80 columns the App's F12 was cut off.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST_ACTIONS = frozenset({"acknowledge_alarm", "app.acknowledge_alarm"})
"""Shown first in every footer (alarms above everything)."""


class DeskFooter(Footer):
    """A :class:`Footer` that recomposes only when what it would show changed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._composed_for: object = None

    def shown_keys(self) -> object:
        """What :meth:`compose` would show for the screen's bindings now."""
        if not self._bindings_ready:
            return None
        return (
            tuple(
                (binding.key, binding.description, binding.action, binding.group, enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show
            ),
            self.show_command_palette,
            self.compact,
        )

    def compose(self) -> Any:
        self._composed_for = self.shown_keys()
        keys = list(super().compose())
        first = [k for k in keys if isinstance(k, FooterKey) and k.action in FIRST_ACTIONS]
        yield from first
        yield from (k for k in keys if k not in first)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        # Scheduled after a refresh: by then its screen may be gone (a dialog dismissed
        # while a command's answer came back), and a removed footer has nothing to show.
        if not self.is_attached or not self.is_mounted:
            return
        if self.shown_keys() != self._composed_for:
            await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        self._forget_removed()

    def _forget_removed(self) -> None:
        """Drop watchers (data bindings) of key widgets that are no longer mounted."""
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for bound in watchers.values():
            bound[:] = [(node, callback) for node, callback in bound if node.is_attached]
