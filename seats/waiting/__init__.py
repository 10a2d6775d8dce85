"""A fair waiting room in front of an event's on-sale (docs/waiting-room.md).

`models` (the room and the places in it), `services` (join, admit, lapse,
the checks the seat map asks), `admitter` (the scheduled tick that admits
people at the room's rate, run by the sweeper process's leader).
"""
