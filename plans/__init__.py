"""Seating plans: venues stored once, imported and exported, events made from them.

`document` is the plan in memory, `geometry` tells which seats sit side by
side; the formats (pretix, CSV, our own JSON) read into and write from the
document; `store` keeps plans in the database and makes events from them.
"""
