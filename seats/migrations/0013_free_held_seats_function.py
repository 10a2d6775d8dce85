"""PostgreSQL: `seats_free_held`, a release of a holder's seats in one call.

The counterpart of `seats_take_free` (0011) for the common release: seats
all in the holder's one running hold, no webhook endpoint enabled. It
clears them, deletes the hold if that emptied it, bumps the version and
logs the activity, or, when its conditions do not hold, changes nothing
and returns no row (services.one_call; the long way is services.releases).
"""

from django.db import migrations

FREE_HELD = r"""
CREATE OR REPLACE FUNCTION seats_free_held(
    p_event bigint, p_holder text, p_seats bigint[], p_now timestamptz,
    p_lock_timeout text
) RETURNS TABLE (o_token text, o_version bigint)
LANGUAGE plpgsql
-- One plan per statement, made once per connection: with the seat ids as an
-- array, PostgreSQL would otherwise plan every statement afresh per call
-- (about 30 % of the call's CPU).
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    wanted integer := cardinality(p_seats);
    n_own integer;
    first_hold bigint;
    last_hold bigint;
    tok text;
    v bigint;
BEGIN
    -- Webhook messages are written by the long way (seats.outbox).
    IF EXISTS (SELECT 1 FROM seats_webhookendpoint w WHERE w.enabled) THEN
        RETURN;
    END IF;
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    -- Seats first (in id order), then the hold row: every service's order.
    SELECT count(*), min(locked.hold_id), max(locked.hold_id)
    INTO n_own, first_hold, last_hold
    FROM (
        SELECT s.holder, s.booking_id, s.blocked, s.hold_id, s.held_until
        FROM seats_seat s
        WHERE s.event_id = p_event AND s.id = ANY (p_seats)
        ORDER BY s.id
        FOR UPDATE
    ) locked
    WHERE locked.holder = p_holder AND locked.booking_id IS NULL
      AND NOT locked.blocked AND locked.held_until > p_now;
    IF n_own <> wanted OR first_hold IS DISTINCT FROM last_hold THEN
        RETURN;
    END IF;
    SELECT h.token INTO tok FROM seats_hold h WHERE h.id = first_hold FOR UPDATE;
    UPDATE seats_seat s SET hold_id = NULL, holder = '', held_until = NULL
    WHERE s.id = ANY (p_seats);
    -- Each statement here sees the ones before it: the seats just cleared
    -- no longer point at the hold.
    DELETE FROM seats_hold h WHERE h.id = first_hold
    AND NOT EXISTS (SELECT 1 FROM seats_seat s WHERE s.hold_id = first_hold);
    UPDATE seats_event e SET version = e.version + 1
    WHERE e.id = p_event RETURNING e.version INTO v;
    INSERT INTO seats_activity
        (event_id, seat_id, kind, holder, at, version, staff, note)
    SELECT p_event, seat, 'released', p_holder, p_now, v, '', ''
    FROM unnest(p_seats) AS seat;
    RETURN QUERY SELECT tok, v;
END
$fn$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS seats_free_held(bigint, text, bigint[], timestamptz, text)"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FREE_HELD, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("seats", "0012_fewer_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
