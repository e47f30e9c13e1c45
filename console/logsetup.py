"""The console's own diagnostics: ``logging`` to a rotating file the technician can read.

The event log is the station's record; this is the program's.  Failures the engines
survive -- an event-log commit that failed and is being retried, a listener that raised,
replication to the centre that is down -- are ``logging`` calls; without a handler they
went to stderr under a full-screen console, i.e. nowhere.  Here they go to
``<user log dir>/dutydesk.log`` (``~/.local/state/dutydesk/log`` on Linux, rotated at 1 MB,
five kept) and to any extra handler the face adds (the TUI adds Textual's, so the
devtools console shows them live).
"""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable
from pathlib import Path

from console.config.where import user_log_dir

LOG_FILE = "dutydesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

_MARK = "_dutydesk_handler"


def configure_logging(
    *,
    folder: Path | None = None,
    extra: Iterable[logging.Handler] = (),
    level: int = logging.INFO,
    root: logging.Logger | None = None,
) -> Path | None:
    """Send ``root``'s records at ``level`` and above to the rotating file (and ``extra``).

    Calling it again replaces the handlers it added before (one file, never two).  A
    folder that cannot be created leaves the file out (the console must still start);
    returns the file's path, or ``None`` then."""
    logger = root if root is not None else logging.getLogger()
    for handler in list(logger.handlers):
        if getattr(handler, _MARK, False):
            logger.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = list(extra)
    target = (folder if folder is not None else user_log_dir()) / LOG_FILE
    path: Path | None = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        )
    except OSError:
        path = None
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _MARK, True)
        logger.addHandler(handler)
    logger.setLevel(level)
    return path
