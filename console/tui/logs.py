"""Textual's logging handler for the console: records reach the devtools console live."""

from __future__ import annotations

import logging

from textual.logging import TextualHandler


def textual_handler() -> logging.Handler:
    """Records go through the running App (``textual console`` shows them); with no App
    running they are left to the rotating file, not printed over the terminal."""
    return TextualHandler(stderr=False, stdout=False)
