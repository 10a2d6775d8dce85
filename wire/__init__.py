"""The public wire format: every JSON document the server sends or accepts.

`wire.frames` builds the seat map's frames and documents from the domain's
plain data, with the one encoder (`dumps`); `wire.queue_frames` the waiting
room's, `wire.dashboard_frames` the staff dashboard's, `wire.staff` and
`wire.rest` the staff and REST API's documents; `wire.requests` parses
every frame a client may send. Nothing else builds protocol JSON. The
contract is docs/protocol.md; a new field goes in here and there.

Layering: the edges (`realtime`, `api`, `frontend`) import `wire`; `wire`
imports `seats`; `seats` never imports `wire`.
"""
