"""`manage.py keep_seats`: open a channel, keep seats, give them back."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from presales.codes import matches
from seats.models import SalesChannel, Seat

pytestmark = pytest.mark.django_db


def keep(*args: str) -> str:
    out = StringIO()
    call_command("keep_seats", *args, stdout=out)
    return out.getvalue()


def test_open_keep_and_give_back(event):
    said = keep(str(event.id), "--channel", "House", "--new", "--labels", "A1-A3")
    code = re.search(r"its code is (\S+)", said).group(1)
    channel = SalesChannel.objects.get(event=event, name="House")
    assert matches(code, channel.code_digest)
    assert "3 seat(s) now kept for House." in said
    assert keep(str(event.id), "--channel", "House", "--rows", "B").startswith("5 ")
    assert Seat.objects.filter(channel=channel).count() == 8
    keep(str(event.id), "--general", "--rows", "A")
    assert Seat.objects.filter(channel=channel).count() == 5
    with pytest.raises(CommandError, match="no channel 'Press'"):
        keep(str(event.id), "--channel", "Press", "--rows", "A")
    with pytest.raises(CommandError, match="No such seat: Z1"):
        keep(str(event.id), "--channel", "House", "--labels", "Z1")


def test_a_new_channel_is_not_opened_for_a_selection_that_names_nothing(event):
    with pytest.raises(CommandError, match="No such seat"):
        call_command(
            "keep_seats",
            str(event.id),
            "--channel",
            "Members",
            "--new",
            "--labels",
            "Z99",
        )

    assert not SalesChannel.objects.filter(event=event).exists()
