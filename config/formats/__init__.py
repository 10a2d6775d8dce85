"""Date formats of our own (FORMAT_MODULE_PATH), one module per language.

Only what differs from Django's formats for that language is here; every
other name falls back to Django's own module.
"""
