"""Key bindings of the secondary screens, described in the officer's language.

Textual reads ``BINDINGS`` once per class, so a screen that speaks zh-CN or English binds
its keys at construction from a table of :class:`~console.tui.strings.Key` (the same type
as the App's ``KEYS``).  F1 help lists the table of the screen it was opened over.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.dom import DOMNode

from console.tui.strings import Key


def bind_keys(node: DOMNode, keys: Iterable[Key], lang: str) -> None:
    """Bind every key of ``keys`` on ``node`` with its description in ``lang``."""
    for key in keys:
        node._bindings.bind(key.key, key.action, key.description(lang), show=key.show)
