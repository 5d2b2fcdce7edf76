"""Exporting a site's threads and comments: Rostra's JSON lines, or Disqus-style XML."""

from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy import Connection

from rostra.exporters import disqus_xml, rostra_jsonl

Exporter = Callable[[Connection, int, str, BinaryIO], int]

FORMATS: dict[str, Exporter] = {"rostra": rostra_jsonl.export, "disqus": disqus_xml.export}
