"""What the parser is told about the school and its limits: picklable, no I/O.

Apart from the parser so that the gateway's main process (which only hands these to the
scan workers) never loads the parser and its file-format libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.scanning.extract.context import Limits
from models import School


@dataclass(frozen=True, slots=True)
class ParseSettings:
    """What the parser needs to know about the school (picklable, no I/O)."""

    limits: Limits = field(default_factory=Limits)
    school: School = field(default_factory=School)
