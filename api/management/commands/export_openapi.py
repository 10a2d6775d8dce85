"""Write the REST API's OpenAPI document (docs/openapi.json is this output)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from api.v1.app import api

PATH_PREFIX = "/api/v1/"


def openapi_document() -> dict[str, Any]:
    return dict(api.get_openapi_schema(path_prefix=PATH_PREFIX))


def render() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/, or write it to --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="a file to write instead")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render()
        if options["output"]:
            options["output"].write_text(text)
            self.stdout.write(f"Wrote {options['output']}.")
        else:
            self.stdout.write(text, ending="")
