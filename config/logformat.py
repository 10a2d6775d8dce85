"""One JSON object per log line, for log shippers (SEATS_LOG_FORMAT=json);
and the filter that keeps hold tokens out of every line."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import unquote


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RedactHoldTokens(logging.Filter):
    """Hold tokens are capabilities: none reaches a log line.

    They travel in API paths (`/api/v1/holds/<token>/...`), which Django
    logs for every 4xx and 5xx answer; the token part becomes `<token>`,
    in any case and however the path was percent-encoded (a line with an
    encoded token path is logged decoded, and masked).
    """

    PATTERN = re.compile(r"(/holds/)[^/\s?\"']+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.PATTERN.sub(r"\1<token>", message)
        if "%" in redacted:
            decoded = unquote(redacted)
            if self.PATTERN.search(decoded):
                redacted = self.PATTERN.sub(r"\1<token>", decoded)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
