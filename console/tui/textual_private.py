"""Every use of a private Textual API, in one place (checked against Textual 8.2).

Textual is pinned to ``>=8.2,<9`` in ``pyproject.toml``; these three reach below its
public surface because there is no public way yet.  ``tests/tui/test_textual_private.py``
fails at once if an upgrade moves any of them, instead of the console failing at a desk.

* :func:`stop_on_exception`: an exception in a background start-up must stop the app the
  way one in ``on_mount`` would (traceback restored to the terminal, non-zero exit);
  ``App._handle_exception`` is what Textual itself calls for that.
* :func:`write_to_terminal`: the station's name in the terminal's title bar (OSC 2) needs
  a raw write; the driver is ``App._driver``.
* :func:`forget_colour_memo`: ``StylesCache.get_inner_outer`` is a module-level
  ``lru_cache`` that keeps closed screens' widgets alive (see ``MainScreen``).
"""

from __future__ import annotations

from typing import Any

from textual._styles_cache import StylesCache
from textual.app import App

CHECKED_AGAINST = "8.2"


def stop_on_exception(app: App[Any], exc: Exception) -> None:
    """Stop ``app`` as an exception raised in one of its handlers would."""
    app._handle_exception(exc)


def write_to_terminal(app: App[Any], data: str) -> None:
    """Write ``data`` (an escape sequence) straight to the app's terminal, if it has one."""
    driver = app._driver
    if driver is not None and not app.is_headless:
        driver.write(data)


def forget_colour_memo() -> None:
    """Let go of the colour pairs Textual memoises per widget (frees closed screens)."""
    StylesCache.get_inner_outer.cache_clear()
