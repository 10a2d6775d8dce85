"""The public wire format: every JSON document the server sends or accepts.

`wire.frames` builds every frame and HTTP document the server sends, from
the domain's plain data, with one encoder (`dumps`); `wire.requests` parses
every frame a client may send. Nothing else builds protocol JSON. The
contract is docs/protocol.md; a new field goes in here and there.

Layering: the edges (`realtime`, `api`, `frontend`) import `wire`; `wire`
imports `seats`; `seats` never imports `wire`.
"""
