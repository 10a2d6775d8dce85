"""PostgreSQL: several clicks of one event in one call, one commit.

`seats_click_batch` runs the clicks a serving loop gathered for an event
(seats.batched_clicks) in one transaction: each is the `seats_click_hold`
or `seats_click_free` it would have been alone, in the order given, with
its own answer (row `o_index`, the click's place, 1-based) and, when it
changed something, its own version. One commit serves them all, and the
event's row is updated by one session instead of several queueing on it.

Before the first click, every seat of the call is locked in id order and
then the holders' existing hold rows in id order: the order every service
takes them in (seats, then the hold row, then the event's version), so a
call never holds the event's row while it waits for a seat or a hold row
another click has locked and wants the event's row for. A lock not had
within `p_lock_timeout` fails the whole call (nothing is written); the
caller then sends its clicks one by one.

The arguments are the single functions' arguments as arrays, one entry per
click (`p_seats` every click's seats one after another, `p_counts` how many
each has); a release's token and times are NULL.
"""

from django.db import migrations

CLICK_BATCH = r"""
CREATE OR REPLACE FUNCTION seats_click_batch(
    p_event bigint, p_kinds text[], p_holders text[], p_seats bigint[],
    p_counts integer[], p_now timestamptz[], p_tokens text[],
    p_expires timestamptz[], p_max timestamptz[], p_limit bigint,
    p_lock_timeout text
) RETURNS TABLE (
    o_index integer, o_outcome text, o_ids bigint[], o_labels text[],
    o_blocked boolean[], o_hold bigint, o_token text, o_created timestamptz,
    o_expires timestamptz, o_max timestamptz, o_version bigint
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    i integer;
    first integer := 1;
    ids bigint[];
    r record;
BEGIN
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    PERFORM 1 FROM seats_seat s
    WHERE s.event_id = p_event AND s.id = ANY (p_seats)
    ORDER BY s.id
    FOR UPDATE;
    PERFORM 1 FROM seats_hold h
    WHERE h.event_id = p_event AND h.holder = ANY (p_holders)
    ORDER BY h.id
    FOR UPDATE;
    FOR i IN 1 .. cardinality(p_kinds) LOOP
        ids := p_seats[first : first + p_counts[i] - 1];
        first := first + p_counts[i];
        IF p_kinds[i] = 'hold' THEN
            SELECT * INTO r FROM seats_click_hold(
                p_event, p_holders[i], ids, p_now[i], p_tokens[i],
                p_expires[i], p_max[i], p_limit, p_lock_timeout);
            RETURN QUERY SELECT i, r.o_outcome, r.o_ids, r.o_labels,
                r.o_blocked, r.o_hold, r.o_token, r.o_created, r.o_expires,
                r.o_max, r.o_version;
        ELSE
            SELECT * INTO r FROM seats_click_free(
                p_event, p_holders[i], ids, p_now[i], p_lock_timeout, true);
            RETURN QUERY SELECT i, r.o_outcome, r.o_ids, r.o_labels,
                NULL::boolean[], NULL::bigint, r.o_token, NULL::timestamptz,
                NULL::timestamptz, NULL::timestamptz, r.o_version;
        END IF;
    END LOOP;
END
$fn$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS seats_click_batch(bigint, text[], text[], bigint[],"
    " integer[], timestamptz[], text[], timestamptz[], timestamptz[], bigint, text)"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CLICK_BATCH, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("seats", "0028_click_hold_names_seats_taken_meanwhile")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
