"""create_api_key: the one line it prints is a working key, and bad input makes none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.keys import authenticate
from api.models import ApiKey

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_key_is_the_only_line_on_stdout_and_authenticates():
    out, err = run("shop", "--scope", "sell")

    assert out.endswith("\n") and out.count("\n") == 1
    key = out.strip()
    found = authenticate(key)
    assert found is not None
    assert (found.name, found.scope) == ("shop", "sell")
    assert found.allows("sell")
    # The warning is for the person at the terminal, never mixed into the key.
    assert "shown only this once" in err
    assert key not in err
    # Only the hash is kept.
    assert key not in ApiKey.objects.values_list("hashed", flat=True)


def test_the_default_scope_is_read_and_cannot_sell():
    out, _ = run("reporting")

    found = authenticate(out.strip())
    assert found is not None and found.scope == "read"
    assert not found.allows("sell")


def test_verbosity_zero_prints_the_key_alone():
    out, err = run("shop", "--scope", "sell", "-v", "0")

    assert authenticate(out.strip()) is not None
    assert err == ""


def test_each_run_makes_a_new_key():
    first, _ = run("shop", "--scope", "sell")
    second, _ = run("shop", "--scope", "sell")

    assert first != second
    assert ApiKey.objects.filter(name="shop").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["shop", "--scope", "write"], "invalid choice: 'write'"),
        (["shop", "--scope", "SELL"], "invalid choice: 'SELL'"),
        (["  ", "--scope", "sell"], "needs a name"),
        (["x" * 101, "--scope", "sell"], "longer than 100"),
    ],
)
def test_bad_arguments_are_refused_and_create_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)

    assert not ApiKey.objects.exists()
