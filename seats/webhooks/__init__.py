"""Webhooks: the outbox written with each change, and its delivery worker.

`types` names what can be sent, `payloads` shapes the bodies, `outbox`
writes deliveries inside the change's transaction, `signing` signs them per
Standard Webhooks and `delivery` sends them (docs/webhooks.md).
"""
