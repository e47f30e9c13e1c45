"""The station service: one process owns the gateway, the log and the engines; every face
(the console, ``dutydesk page``, other positions) is a client of its API.

:mod:`~console.service.api` (routes and the stream), :mod:`~console.service.host`
(socket, TLS, registration), :mod:`~console.service.client` (a face's side),
:mod:`~console.service.serve` (``dutydesk serve``), :mod:`~console.service.paths`
(where the log, socket and registration live), :mod:`~console.service.auth` (who asks),
:mod:`~console.service.codec` and :mod:`~console.service.state` (what goes on the wire).
Import the module you need; this package imports nothing heavy by itself.
"""
