"""The demo's content, read from the data files in ``judging/demo/data/``.

The text of the demo (KOINYANLIK 2026, Kota Palembang, all in Bahasa Indonesia) is data, not
code: tables are CSV (one row per organisation or judge), the rest is JSON. The files ship as
package data (``[tool.setuptools.package-data]``) and are read through ``importlib.resources``,
so an installed wheel loads the same demo as a checkout.

- ``competition.json``: the round and the next (open) one, the categories, the judges' declared
  conflicts, the pool of judge comments, the publication (announcement, certificate signers,
  award titles) and the ``story`` (what the committee, OPDs and the public wrote along the way);
- ``organisations.csv``: ``key, name, category, contact, parent`` (the key of the agency whose
  Admin Lokal reviews its proposals, or empty), one innovation entry each;
- ``judges.csv``: ``username, name, affiliation`` and the simulated scoring parameters
  ``offset, spread, noise`` (on a 1-10 feel, see ``loader.load_demo``);
- ``entries.json``: per entry the hand-written ``org, title, summary, problem, novelty,
  implementation, impact``;
- ``proposals.json``: the material ``kipp.kipp_sections`` composes the other KIPP sections from;
- ``scale.json``: names for the generated national/IGA rounds (``scale.load_scaled``).

Every call returns freshly parsed objects, so a caller may change what it gets.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib import resources
from typing import Any

_FLOAT_COLUMNS = {"offset", "spread", "noise"}


@cache
def _text(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _json(name: str) -> Any:
    return json.loads(_text(name))


def _table(name: str) -> list[dict[str, Any]]:
    """Rows of a CSV file as dicts; the judges' scoring parameters become floats."""
    return [
        {k: float(v) if k in _FLOAT_COLUMNS else v for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(_text(name)))
    ]


def competition() -> dict[str, Any]:
    return _json("competition.json")


def organisations() -> list[dict[str, str]]:
    return _table("organisations.csv")


def judges() -> list[dict[str, Any]]:
    return _table("judges.csv")


def entries() -> list[dict[str, str]]:
    return _json("entries.json")


def proposals() -> dict[str, Any]:
    return _json("proposals.json")


def scale() -> dict[str, Any]:
    return _json("scale.json")
