"""Who the school's pupils and staff are: what the name detectors match against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pupil:
    """A pupil from the MIS export; only the fields the detectors need (data minimisation)."""

    forenames: tuple[str, ...]
    """Legal forename first, then the preferred forename when it differs."""
    surnames: tuple[str, ...]
    """Legal surname first, then the preferred surname when it differs."""
    middle_names: tuple[str, ...] = ()
    year: str | None = None
    reg_group: str | None = None
    family_name_first: bool = False
    """The pupil's name is written family name first ("Wang Xiaoming"), as the MIS says."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A member of staff: their names, school address and any known personal addresses."""

    forename: str
    surname: str
    email: str
    personal_emails: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}".strip()


@dataclass(frozen=True, slots=True)
class Directory:
    """The roster and staff directory at one version (the version changes on re-import)."""

    pupils: tuple[Pupil, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    version: str = "empty"
