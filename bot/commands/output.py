"""How `bot ask` and `bot document` print an answer: its JSON, or the rendered text."""

from __future__ import annotations

import json
import sys

from pydantic import BaseModel


def print_answer(answer: BaseModel, text: str, as_json: bool) -> None:
    if as_json:
        json.dump(answer.model_dump(mode="json"), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)
