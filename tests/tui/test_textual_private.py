"""The private Textual APIs the console relies on are still there (console/tui/textual_private.py).

An upgrade of Textual that moves one of them fails here, by name, rather than at a desk.
"""

from __future__ import annotations

import functools

import textual
from textual._styles_cache import StylesCache
from textual.app import App

from console.tui import textual_private


def test_the_pinned_range_is_the_one_checked() -> None:
    major, minor = (int(x) for x in textual.__version__.split(".")[:2])
    checked = tuple(int(x) for x in textual_private.CHECKED_AGAINST.split("."))
    assert (major, minor) >= checked and major == checked[0]


def test_each_private_api_exists_with_the_shape_used() -> None:
    assert callable(App._handle_exception)
    assert "_driver" in App.__init__.__code__.co_names or hasattr(App, "_driver")
    memo = StylesCache.get_inner_outer
    assert isinstance(memo, functools._lru_cache_wrapper)
    textual_private.forget_colour_memo()
    assert memo.cache_info().currsize == 0
