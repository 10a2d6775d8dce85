"""Webhook delivery: the outbox sent to the shop's endpoints, signed.

The domain writes the outbox in each change's transaction (seats.outbox);
this app sends it: `delivery` (one sender per endpoint through a lease, in
order, at least once, retried with backoff), `signing` (Standard Webhooks
headers), `admin` (endpoints and the delivery log) and the `create_webhook`
command. On start it gives the outbox its renderer (wire.webhooks), so the
bodies are the wire format's. docs/webhooks.md is the contract.
"""
