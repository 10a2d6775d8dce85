"""PostgreSQL: `seats_take_free`, a hold of free seats in one call.

The common click (seats that are plainly free, no webhook endpoint to
write to) costs one round trip instead of eight: services.one_call calls
it and, whenever it returns no row, does the same work the long way
(services.holds), which also gives the exact error. The function changes
nothing unless it completes. SQLite has no functions: nothing to install.
"""

from django.db import migrations

TAKE_FREE = r"""
CREATE OR REPLACE FUNCTION seats_take_free(
    p_event bigint, p_holder text, p_seats bigint[], p_now timestamptz,
    p_token text, p_expires timestamptz, p_max timestamptz,
    p_limit bigint, p_lock_timeout text
) RETURNS TABLE (
    o_hold bigint, o_token text, o_created timestamptz,
    o_expires timestamptz, o_max timestamptz, o_version bigint
) LANGUAGE plpgsql
-- One plan per statement, made once per connection: with the seat ids as an
-- array, PostgreSQL would otherwise plan every statement afresh per call
-- (about 30 % of the call's CPU).
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    wanted integer := cardinality(p_seats);
    n_free integer;
    h seats_hold%ROWTYPE;
    n_held bigint;
    v bigint;
BEGIN
    IF wanted > p_limit THEN
        RETURN;
    END IF;
    -- Webhook messages are written by the long way (seats.outbox).
    IF EXISTS (SELECT 1 FROM seats_webhookendpoint w WHERE w.enabled) THEN
        RETURN;
    END IF;
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    -- Seats first (in id order), then the hold row: every service's order.
    -- Only seats in no hold at all: a lapsed hold's seats end as a change
    -- of their own first, which the long way records.
    SELECT count(*) INTO n_free FROM (
        SELECT s.booking_id, s.blocked, s.hold_id, s.held_until
        FROM seats_seat s
        WHERE s.event_id = p_event AND s.id = ANY (p_seats)
        ORDER BY s.id
        FOR UPDATE
    ) locked
    WHERE locked.booking_id IS NULL AND NOT locked.blocked
      AND locked.hold_id IS NULL AND locked.held_until IS NULL;
    IF n_free <> wanted THEN
        RETURN;
    END IF;
    -- The holder's one hold row, locked: inserted, or the one there.
    INSERT INTO seats_hold AS hr
        (token, event_id, holder, created_at, expires_at, max_expires_at)
    VALUES (p_token, p_event, p_holder, p_now, p_expires, p_max)
    ON CONFLICT (event_id, holder) DO UPDATE SET holder = excluded.holder
    RETURNING hr.* INTO h;
    IF h.token <> p_token THEN
        -- Counted under the hold row's lock: the limit holds across workers.
        SELECT count(*) INTO n_held FROM seats_seat s
        WHERE s.event_id = p_event AND s.holder = p_holder
          AND s.booking_id IS NULL AND NOT s.blocked AND s.held_until > p_now;
        -- A spent hold starts afresh (the long way); too many: its error.
        IF NOT (h.expires_at > p_now AND n_held > 0)
           OR n_held + wanted > p_limit THEN
            RETURN;
        END IF;
    END IF;
    UPDATE seats_seat s
    SET hold_id = h.id, holder = p_holder, held_until = h.expires_at
    WHERE s.id = ANY (p_seats);
    UPDATE seats_event e SET version = e.version + 1
    WHERE e.id = p_event RETURNING e.version INTO v;
    INSERT INTO seats_activity
        (event_id, seat_id, kind, holder, at, version, staff, note)
    SELECT p_event, seat, 'held', p_holder, p_now, v, '', ''
    FROM unnest(p_seats) AS seat;
    RETURN QUERY
    SELECT h.id, h.token::text, h.created_at, h.expires_at, h.max_expires_at, v;
END
$fn$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS seats_take_free("
    "bigint, text, bigint[], timestamptz, text, timestamptz, timestamptz, "
    "bigint, text)"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TAKE_FREE, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("seats", "0010_event_layout_version")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
