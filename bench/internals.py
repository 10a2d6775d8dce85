"""The project internals the benchmarks use, each with the reason; nothing else.

Everywhere else bench drives the project from outside, through devtools:
`manage.py` commands, sockets, HTTP and databases. The exceptions are
deliberate measurements the public interfaces cannot make, and they are all
here, so when one of these names moves this is the module to change.

Imported from this module, in processes that ran `django.setup()` first:

* bench/baselines/channels_groups.py, the standard Channels pattern that ours
  is compared against. So that it differs from ours in the fan-out alone, it
  reuses the project's domain and wire format: `services` (hold, release,
  release_all), `selectors.seat_map` (the snapshot), the holder helpers,
  `Event`, `RequestError`, the request parser (`parse_request`, `FrameError`)
  and the frame builders (`frames`), so both servers accept and answer
  exactly the same frames. It swaps the project's broadcaster (the
  `seats_changed` receiver registered as BROADCAST_DISPATCH_UID) for the
  textbook `group_send` of each change's data. The socket's surroundings are
  ours as well: the origin check (`OriginCheck`), the session-only scope
  middleware (`SessionScopeStack`, which leaves `send` alone, unlike
  Channels' session/auth stack), the bounded WebSocket protocol
  (`install_backpressure`) and the frozen start-up heap (`gc.freeze()`).
* bench/scenarios/sweep_job.py, the sweep timed in-process: one
  `services.release_expired()` call and nothing else, which the
  `release_expired_locks` command cannot give (its time includes starting
  Python and Django). It makes thousands of already expired holds with
  `services.hold_seats(now=<an hour ago>)` on venues from `create_venue`
  (through the public interfaces a hold can only expire in the future),
  keeps the broadcaster disconnected while it does and reconnects it
  (`on_seats_changed`) for the timed sweep, opens the publisher's loop and
  layer connection beforehand (`publish`) as a long-running sweeper has
  them, counts holds and seats with `Hold` and `Seat`, and counts
  channel-layer messages by wrapping the layer's `group_send`.

* bench/scenarios/queue_job.py, a waiting room with ten thousand places:
  joining through the queue socket would take ten thousand browser
  sessions and handshakes before anything is measured, so it makes the
  room with `waiting.configure`, the places with `Place` in bulk (random
  early ranks below `EARLY_RANKS`, as `waiting.join` draws them), and the
  browser sessions of the sockets it watches with Django's `SessionStore`
  under the project's `SESSION_KEY`.

Read without importing:

* bench/scenarios/contention.py replays the `seats_activity` table (seat_id,
  version, id, kind, holder, event_id) and counts `seats_seat.hold_id` with
  SQL afterwards: the per-seat history proving no seat was held twice has no
  public interface.
* bench/context.py copies the SQLite files `db.sqlite3*` out of a server's
  SEATS_VAR_DIR (where config/settings.py keeps the embedded database), so
  every server of a run starts from one migrated, seeded template instead of
  migrating again.
"""

from plans.venues import create_venue
from realtime.broadcasting import on_seats_changed, publish
from realtime.middleware import SessionScopeStack
from realtime.origin import OriginCheck
from realtime.transport import install_backpressure
from seats import selectors, services
from seats.errors import RequestError
from seats.holders import (
    SESSION_KEY,
    connection_holder,
    is_connection_holder,
    session_holder,
)
from seats.models import Event, Hold, Seat
from seats.signals import SeatChange, seats_changed
from seats.waiting import services as waiting
from seats.waiting.models import EARLY_RANKS, Place, WaitingRoom
from wire import frames
from wire.requests import FrameError, parse_request

# How realtime/apps.py registers the broadcaster on `seats_changed`.
BROADCAST_DISPATCH_UID = "realtime.broadcast"

__all__ = [
    "BROADCAST_DISPATCH_UID",
    "EARLY_RANKS",
    "Place",
    "SESSION_KEY",
    "WaitingRoom",
    "waiting",
    "Event",
    "FrameError",
    "Hold",
    "OriginCheck",
    "Seat",
    "SeatChange",
    "RequestError",
    "SessionScopeStack",
    "connection_holder",
    "create_venue",
    "frames",
    "install_backpressure",
    "is_connection_holder",
    "on_seats_changed",
    "parse_request",
    "publish",
    "seats_changed",
    "selectors",
    "services",
    "session_holder",
]
