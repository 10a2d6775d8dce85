"""PostgreSQL: the common click in one round trip, its read included.

`seats_take_free` (0011) and `seats_free_held` (0013) made a hold or a
release one call, but the services still read the seats first (unlocked:
to refuse a taken seat without queueing for its lock, to judge the seat
rules and the waiting room, and for the labels the broadcast names), so a
click was two round trips. `seats_click_hold` and `seats_click_free` do
that read inside the database and go on to the 0011/0013 function when
the click is plain; otherwise they change nothing and say why:

* `held` / `freed`: done; the seats' labels come back, in id order.
* `taken` (hold only): some seats are booked, blocked or held by someone
  else; their ids, labels and blocked flags come back, for the same
  `seats_unavailable` answer the services give.
* `event`: the event needs the long way for every click (its waiting room
  is on, a webhook endpoint is enabled, or it avoids single seats and these
  seats are in runs): the caller may skip this call for the event for a
  while.
* `long`: this click needs the long way (unknown seats, a companion seat
  or wheelchair space, seats the holder already holds, a lapsed hold, too
  many seats, another holder's seats to free).

services.one_call calls them; the long way (services.holds, .releases)
reads again and names the exact error. The read is the unlocked one the
services make (services.locking.read_seats), and the take or free locks
and checks again, as before.
"""

from django.db import migrations

# A seat's status at p_now, as seats.models.status_of: booked, blocked,
# held while held_until is ahead, else free.
FREE = (
    "s.booking_id IS NULL AND NOT s.blocked "
    "AND (s.held_until IS NULL OR s.held_until <= p_now)"
)
HELD_BY_HOLDER = (
    "s.booking_id IS NULL AND NOT s.blocked AND s.held_until > p_now "
    "AND s.holder = p_holder"
)

CLICK_HOLD = rf"""
CREATE OR REPLACE FUNCTION seats_click_hold(
    p_event bigint, p_holder text, p_seats bigint[], p_now timestamptz,
    p_token text, p_expires timestamptz, p_max timestamptz,
    p_limit bigint, p_lock_timeout text
) RETURNS TABLE (
    o_outcome text, o_ids bigint[], o_labels text[], o_blocked boolean[],
    o_hold bigint, o_token text, o_created timestamptz,
    o_expires timestamptz, o_max timestamptz, o_version bigint
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    n integer;
    room boolean;
    in_runs boolean;
    plain boolean;
    companions boolean;
    labels text[];
    t_ids bigint[];
    t_labels text[];
    t_blocked boolean[];
    r record;
BEGIN
    SELECT count(*),
           bool_or(e.avoid_single_seats AND s.run <> ''),
           bool_and(s.hold_id IS NULL AND s.held_until IS NULL
                    AND s.booking_id IS NULL AND NOT s.blocked),
           bool_or(s.companion_of_id IS NOT NULL),
           array_agg(s.label::text ORDER BY s.id),
           array_agg(s.id::bigint ORDER BY s.id)
               FILTER (WHERE NOT ({FREE}) AND NOT ({HELD_BY_HOLDER})),
           array_agg(s.label::text ORDER BY s.id)
               FILTER (WHERE NOT ({FREE}) AND NOT ({HELD_BY_HOLDER})),
           array_agg(s.blocked ORDER BY s.id)
               FILTER (WHERE NOT ({FREE}) AND NOT ({HELD_BY_HOLDER}))
    INTO n, in_runs, plain, companions, labels, t_ids, t_labels, t_blocked
    FROM seats_seat s JOIN seats_event e ON e.id = s.event_id
    WHERE s.event_id = p_event AND s.id = ANY (p_seats);
    IF n <> cardinality(p_seats) THEN
        RETURN QUERY SELECT 'long'::text, NULL::bigint[], NULL::text[],
            NULL::boolean[], NULL::bigint, NULL::text, NULL::timestamptz,
            NULL::timestamptz, NULL::timestamptz, NULL::bigint;
        RETURN;
    END IF;
    -- The waiting room's admission is judged in Python, before anything
    -- else; webhook messages are written by the long way (seats.outbox).
    SELECT EXISTS (SELECT 1 FROM seats_waitingroom w
                   WHERE w.event_id = p_event AND w.enabled)
        OR EXISTS (SELECT 1 FROM seats_webhookendpoint w WHERE w.enabled)
    INTO room;
    IF room OR in_runs THEN
        RETURN QUERY SELECT 'event'::text, NULL::bigint[], NULL::text[],
            NULL::boolean[], NULL::bigint, NULL::text, NULL::timestamptz,
            NULL::timestamptz, NULL::timestamptz, NULL::bigint;
        RETURN;
    END IF;
    IF t_ids IS NOT NULL THEN
        RETURN QUERY SELECT 'taken'::text, t_ids, t_labels, t_blocked,
            NULL::bigint, NULL::text, NULL::timestamptz,
            NULL::timestamptz, NULL::timestamptz, NULL::bigint;
        RETURN;
    END IF;
    IF plain AND NOT companions THEN
        SELECT * INTO r FROM seats_take_free(
            p_event, p_holder, p_seats, p_now, p_token, p_expires, p_max,
            p_limit, p_lock_timeout);
        IF FOUND THEN
            RETURN QUERY SELECT 'held'::text,
                ARRAY(SELECT unnest(p_seats) ORDER BY 1), labels,
                NULL::boolean[], r.o_hold, r.o_token, r.o_created,
                r.o_expires, r.o_max, r.o_version;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT 'long'::text, NULL::bigint[], NULL::text[],
        NULL::boolean[], NULL::bigint, NULL::text, NULL::timestamptz,
        NULL::timestamptz, NULL::timestamptz, NULL::bigint;
END
$fn$;
"""

CLICK_FREE = rf"""
CREATE OR REPLACE FUNCTION seats_click_free(
    p_event bigint, p_holder text, p_seats bigint[], p_now timestamptz,
    p_lock_timeout text, p_rules boolean
) RETURNS TABLE (
    o_outcome text, o_ids bigint[], o_labels text[], o_token text,
    o_version bigint
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    n integer;
    own boolean;
    in_runs boolean;
    paired boolean;
    labels text[];
    r record;
BEGIN
    SELECT count(*),
           bool_and({HELD_BY_HOLDER}),
           bool_or(e.avoid_single_seats AND s.run <> ''),
           bool_or(s.companion_of_id IS NOT NULL OR s.wheelchair),
           array_agg(s.label::text ORDER BY s.id)
    INTO n, own, in_runs, paired, labels
    FROM seats_seat s JOIN seats_event e ON e.id = s.event_id
    WHERE s.event_id = p_event AND s.id = ANY (p_seats);
    IF (p_rules AND in_runs)
       OR EXISTS (SELECT 1 FROM seats_webhookendpoint w WHERE w.enabled) THEN
        RETURN QUERY SELECT 'event'::text, NULL::bigint[], NULL::text[],
            NULL::text, NULL::bigint;
        RETURN;
    END IF;
    IF n = cardinality(p_seats) AND own AND NOT (p_rules AND paired) THEN
        SELECT * INTO r FROM seats_free_held(
            p_event, p_holder, p_seats, p_now, p_lock_timeout);
        IF FOUND THEN
            RETURN QUERY SELECT 'freed'::text,
                ARRAY(SELECT unnest(p_seats) ORDER BY 1), labels,
                r.o_token, r.o_version;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT 'long'::text, NULL::bigint[], NULL::text[],
        NULL::text, NULL::bigint;
END
$fn$;
"""

DROPS = [
    "DROP FUNCTION IF EXISTS seats_click_hold(bigint, text, bigint[], timestamptz,"
    " text, timestamptz, timestamptz, bigint, text)",
    "DROP FUNCTION IF EXISTS seats_click_free(bigint, text, bigint[], timestamptz,"
    " text, boolean)",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for source in (CLICK_HOLD, CLICK_FREE):
            schema_editor.execute(source, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for drop in DROPS:
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("seats", "0019_activity_keys_unchecked")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
