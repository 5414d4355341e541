"""The detector contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from models import Directory, Finding, Message, School


class DetectorSettings(BaseModel):
    """Base for a detector's settings: its defaults are the class constants, the config
    file's `[detectors.<name>]` table overrides them, and an unknown key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Detector(ABC):
    """A small class with a name, the finding types it emits and one pure method.

    Subclasses set `name`, `finding_types` and, when they have settings, `Settings`.
    They are built once per scan worker (and again when the roster changes), so
    expensive set-up belongs in `__init__`, not in `detect`.
    """

    name: ClassVar[str]
    finding_types: ClassVar[frozenset[str]]
    Settings: ClassVar[type[DetectorSettings]] = DetectorSettings

    def __init__(
        self, settings: DetectorSettings, directory: Directory, school: School | None = None
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.school = school or School()
        """The school's own identity (domains, numbers, tags), from the [school] config."""

    @abstractmethod
    def detect(self, message: Message) -> list[Finding]:
        """Return every finding in `message`; an empty list when there is none."""
