"""Development tooling shared by tests, benchmarks and scripts.

It drives the project only from outside: subprocesses (`manage.py`),
sockets, HTTP and databases. It imports none of the project's own packages,
so tests, bench and scripts can all depend on it without depending on each
other.
"""
