"""Wire the paging engine to the incident book without the engine importing it.

The engine takes two plain callables (open an ad-hoc incident, attach a page) so it can
be tested and used without incidents; this module builds them from an
:class:`~console.incidents.IncidentBook`, so every page the officer sends without
opening an incident first still lands in the closed loop and is counted.
"""

from __future__ import annotations

from console.incidents import IncidentBook
from console.paging.engine import AttachPage, IncidentFactory


def incident_hooks(book: IncidentBook) -> tuple[IncidentFactory, AttachPage]:
    """``(incident_factory, attach_page)`` for :class:`~console.paging.engine.PagingEngine`."""

    def open_adhoc(title: str, operator: str) -> str:
        return book.adhoc_for_page(title or "page", operator).id

    def attach(incident_id: str, page_id: str) -> None:
        book.attach_page(incident_id, page_id)

    return open_adhoc, attach
