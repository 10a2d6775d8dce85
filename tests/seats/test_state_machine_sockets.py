"""The services' model (test_state_machine.py) followed by clicks made as a
socket makes them.

A file of its own so that a parallel suite runs it beside the services'
machine, not after it: each takes most of a minute.
"""

from __future__ import annotations

import asyncio

import pytest

from seats import loop_db, services
from seats.errors import RequestError
from tests.seats.test_state_machine import (
    EXAMPLES,
    MACHINE_TIMEOUT,
    SEEDS,
    SeatMachine,
    _seen,
    assert_all_reached,
    run_machine,
    use_machine_settings,
)


class SocketSeatMachine(SeatMachine):
    """The same model on a venue without the single-seat rule, with holds
    and releases made as a socket makes them: tried on the serving loop
    first (services.on_loop), the usual service where that does not answer.
    On PostgreSQL the plain clicks then go through the click functions, on
    the loop or in the service, and what those leave to Python (the limit,
    lapsed holds, unknown seats, someone else's seats) the long way; so the
    functions and both ways to them answer to the model too."""

    AVOID_SINGLE_SEATS = False

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()

    def teardown(self) -> None:
        super().teardown()
        loop_db.close_all()
        # Terminating a connection closes its socket on the loop's next
        # turn: without one, PostgreSQL kept them (and refused to drop the
        # test database) until the interpreter collected them at exit.
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()

    def hold_seats(self, **kwargs):
        held = self.on_loop(services.hold_on_loop(**kwargs))
        return held if held is not None else services.hold_seats(**kwargs)

    def release_seats(self, **kwargs):
        freed = self.on_loop(services.release_on_loop(**kwargs))
        return freed if freed is not None else services.release_seats(**kwargs)

    def on_loop(self, attempt):
        """The loop's answer (None: the usual way), counted by how it went."""
        try:
            answer = self.loop.run_until_complete(attempt)
        except RequestError:
            _seen[("on_loop", "refused")] += 1
            raise
        _seen[("on_loop", "usual way" if answer is None else "answered")] += 1
        return answer


@pytest.fixture
def machine_settings(settings):
    return use_machine_settings(settings)


# On PostgreSQL the loop's own connections must see what the machine writes:
# committed rows, not the test's transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(MACHINE_TIMEOUT)
@pytest.mark.parametrize("seed", SEEDS or [None], ids=lambda s: f"seed-{s}")
def test_socket_clicks_follow_the_model(machine_settings, seed):
    _seen.clear()
    run_machine(seed, SocketSeatMachine, examples=max(1, EXAMPLES // 2))
    assert_all_reached(single_seats=False)
    # On PostgreSQL the loop answered clicks itself and left others to the
    # usual way; elsewhere it answers none (bad requests it refuses anywhere).
    ways = {way for (name, way), n in _seen.items() if name == "on_loop" and n}
    assert "usual way" in ways
    assert ("answered" in ways) == loop_db.enabled(), ways
