"""CSV as the stations file it: UTF-8 that Excel on a Chinese Windows PC opens right.

Excel takes a CSV without a byte-order mark for the PC's code page (GBK on a Chinese
Windows) and shows every Chinese name as mojibake; with the BOM it reads UTF-8.  So every
CSV the console writes -- drill and roll-call reports, the log export, the centre's city
report -- starts with one unless asked not to (``--no-bom``, for tools that choke on it),
and ends its rows with CRLF as RFC 4180 says.  One writer, so the reports cannot drift.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Final, TextIO

BOM: Final = "\ufeff"


def csv_writer(out: TextIO, *, bom: bool = True) -> Any:
    """A ``csv.writer`` on ``out`` (CRLF rows), after writing the BOM when ``bom``."""
    if bom:
        out.write(BOM)
    return csv.writer(out, lineterminator="\r\n")


def csv_text(rows: Iterable[Sequence[object]], *, bom: bool = True) -> str:
    """``rows`` (the header first) as one CSV text."""
    out = io.StringIO()
    csv_writer(out, bom=bom).writerows(rows)
    return out.getvalue()


def add_bom_option(parser: argparse.ArgumentParser) -> None:
    """``--no-bom`` on a command that writes CSV (``args.bom``: True unless given)."""
    parser.add_argument(
        "--no-bom",
        dest="bom",
        action="store_false",
        help="CSV without the UTF-8 byte-order mark (default: with it, so Excel reads UTF-8)",
    )
