"""The webhook outbox: what a change has to tell the shop, written with it.

`models` holds the endpoints the operator configured and one delivery row
per message and endpoint; `writer` writes those rows inside the change's
transaction; `messages` names what a row tells of (a hold's seats, a
booking); `types` the event types. Sending them is the `webhooks` app's
work, and so is the body's shape (wire.webhooks, registered with the
writer when the app starts): the domain decides what to tell, never how.
"""
