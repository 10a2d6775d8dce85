"""A fair waiting room in front of an event's on-sale (docs/waiting-room.md).

`models` (the room and the places in it); `places` (joining, leaving, a
place's state now), `line` (what a waiting page sees), `admission` (who may
hold seats now, and the tick that admits people at the room's rate, run by
the sweeper's leader: workers.sweeper), `rooms` (staff settings and the
dashboard's figures); `services` gathers them for callers.
"""
