"""The REST API, version 1: for a shop's backend, authenticated by API keys.

Every state change goes through `seats.services`, so it is broadcast live
to every browser and written to the webhook outbox like a click on the map.
`app` builds the django-ninja API (its OpenAPI document is the contract),
`auth` checks keys and scopes, `problems` renders RFC 9457 errors,
`schemas` are the request and answer shapes, and `events`, `holds` and
`bookings` are the routes.
"""
