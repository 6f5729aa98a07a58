"""JSON log lines in UTC with ID-number and phone patterns masked (SECURITY.md settings)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re

# The same masks as the pages (core.privacy, docs/decisions.md 19): an ID number keeps its first four
# characters only (a log line and a page together must not rebuild it), a phone 3 + 4.
ID_PATTERN = re.compile(r"(?<!\d)(\d{4})\d{13}[\dXx](?!\d)")
PHONE_PATTERN = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = ID_PATTERN.sub(r"\1" + "*" * 14, text)
    return PHONE_PATTERN.sub(r"\1****\2", text)


class MaskPersonalInfoFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
        }
        if record.exc_info:
            body["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(body, ensure_ascii=False)
