"""PostgreSQL: a hold that loses a race names the seats, as a read would.

`seats_click_hold` (as 0027 left it) reads the seats unlocked, and when
they are all free goes on to `seats_take_free`, which locks them and
checks again. Under contention the second check often fails: the seat was
free when read, but another click held it while this one waited for its
row lock. The function then answered `long`, and the caller went the long
way (a database thread, the seats read again) only to refuse the click
with the same `seats_unavailable` answer. Now it reads the seats once more
(a fresh snapshot: the lock wait is over, the other click committed) and
answers `taken` with the seats another holds, booked or blocked; `long`
only when none is (the holder's limit, a spent hold: the long way judges).
"""

import importlib

from django.db import migrations


def _module(name):
    return importlib.import_module(f"seats.migrations.{name}")


def _old_source():
    return _module("0027_tables")._new_sources()[0]


_click = _module("0020_click_functions")
UNAVAILABLE = f"NOT ({_click.FREE}) AND NOT ({_click.HELD_BY_HOLDER})"

TAKE_FAILED_OLD = """                r.o_expires, r.o_max, r.o_version;
            RETURN;
        END IF;
    END IF;"""
TAKE_FAILED_NEW = f"""                r.o_expires, r.o_max, r.o_version;
            RETURN;
        END IF;
        -- Taken while the take waited for its row locks: named now.
        SELECT array_agg(s.id::bigint ORDER BY s.id),
               array_agg(s.label::text ORDER BY s.id),
               array_agg(s.blocked ORDER BY s.id)
        INTO t_ids, t_labels, t_blocked
        FROM seats_seat s
        WHERE s.event_id = p_event AND s.id = ANY (p_seats)
          AND {UNAVAILABLE};
        IF t_ids IS NOT NULL THEN
            RETURN QUERY SELECT 'taken'::text, t_ids, t_labels, t_blocked,
                NULL::bigint, NULL::text, NULL::timestamptz,
                NULL::timestamptz, NULL::timestamptz, NULL::bigint;
            RETURN;
        END IF;
    END IF;"""


def _new_source():
    source = _old_source()
    assert source.count(TAKE_FAILED_OLD) == 1
    return source.replace(TAKE_FAILED_OLD, TAKE_FAILED_NEW)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_new_source(), params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_old_source(), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0027_tables"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
