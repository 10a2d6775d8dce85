"""The HTTP JSON API: thin views over `seats` selectors and services.

An edge like `realtime`: it shapes every answer through `wire.frames`, so the
HTTP snapshot is byte for byte the WebSocket one.
"""
