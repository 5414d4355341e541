"""Where in a message a text or a finding is.

A location is stored and carried as a string ("subject", "body", "header:From",
"attachment:pupils.zip/list.xlsx#Sheet1"): rules name its area, the journal and holds
keep it, staff read it. `Location` builds and reads that string, so no code splits it by
hand: a "#" or "%" in a file name is escaped in the path ("Year 6 %232.xlsx" is the file
"Year 6 #2.xlsx"), and everything after the first unescaped "#" is the section (a sheet,
a slide, a table; a sheet name may itself hold a "#").
"""

from __future__ import annotations

from dataclasses import dataclass

SUBJECT = "subject"
BODY = "body"
HEADER = "header"
ATTACHMENT = "attachment"


def _escape(path: str) -> str:
    return path.replace("%", "%25").replace("#", "%23")


def _unescape(path: str) -> str:
    return path.replace("%23", "#").replace("%25", "%")


@dataclass(frozen=True, slots=True)
class Location:
    area: str
    """subject, body, header or attachment (what a rule's `locations` names)."""
    path: str = ""
    """An attachment's path inside the message ("pupils.zip/list.xlsx"), or a header's name."""
    section: str = ""
    """A part of the file: "Sheet1", "slide 3 table 1", "table 2"."""

    @classmethod
    def parse(cls, text: str) -> Location:
        area, colon, rest = text.partition(":")
        if not colon:
            area, _, section = text.partition("#")
            return cls(area, "", section)
        path, _, section = rest.partition("#")
        return cls(area, _unescape(path), section)

    def __str__(self) -> str:
        text = self.area
        if self.path:
            text += f":{_escape(self.path)}"
        if self.section:
            text += f"#{self.section}"
        return text

    @property
    def file(self) -> str | None:
        """The attachment's path, or None when the location is not in an attachment."""
        return self.path if self.area == ATTACHMENT else None


def attachment(path: str, section: str = "") -> str:
    """The location string of an attached file, or of a section of it."""
    return str(Location(ATTACHMENT, path, section))


def area_of(location: str) -> str:
    """The area alone ("attachment"), without building a Location: the policy asks it
    for every finding of every rule that names locations, in the gateway's own process."""
    area, colon, _ = location.partition(":")
    return area if colon else area.partition("#")[0]
