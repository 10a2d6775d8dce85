"""SEATS_LOG_FORMAT=json: one parseable JSON object per log line."""

from __future__ import annotations

import json
import logging

from config.logformat import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "workers.sweeper",
            logging.ERROR,
            __file__,
            1,
            "sweep %s",
            ("failed",),
            sys.exc_info(),
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "workers.sweeper",
        "sweep failed",
    )
    assert entry["time"].endswith("+00:00")
    assert "ValueError: boom" in entry["exception"]


def test_hold_tokens_never_reach_a_log_line():
    import logging

    from config.logformat import RedactHoldTokens

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Conflict", "/api/v1/holds/Qm2x-SECRET_token/seats"),
        None,
    )
    assert RedactHoldTokens().filter(record)
    assert record.getMessage() == "Conflict: /api/v1/holds/<token>/seats"
    # However the path is spelled: encoded, or in another case.
    for path in (
        "/api/v1/%68olds/Qm2x-SECRET_token/seats",
        "/api/v1/HOLDS/Qm2x-SECRET_token",
        "/api/v1/holds%2FQm2x-SECRET_token",
    ):
        spelled = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Not Found: %s",
            (path,),
            None,
        )
        RedactHoldTokens().filter(spelled)
        assert "SECRET" not in spelled.getMessage(), path
        assert "<token>" in spelled.getMessage()
    plain = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "no %s here", ("token",), None
    )
    RedactHoldTokens().filter(plain)
    assert plain.getMessage() == "no token here"
