"""Plug-in detectors for tests, loaded by the real scan workers through
`detectors.plugins = ["tests.plugins:KeywordDetector"]`.

They let the SMTP tests drive every action and every failure path through the real
gateway: a body word KEYWORD-<ACTION> produces a TEST_KEYWORD finding of that kind,
KEYWORD-BOOM makes the detector raise, KEYWORD-HANG makes it hang and KEYWORD-SLOW
makes it take SLOW_SECONDS (a slow scan that still finishes). A keyword followed by
"-EXPLAINED" also says why it has its score (a Basis), as the built-in detectors do.
"""

from __future__ import annotations

import re
import time
from typing import ClassVar

from detectors.base import Detector
from models import Basis, Finding, Message

_KEYWORD = re.compile(r"KEYWORD-([A-Z]+)")
SLOW_SECONDS = 3.0


class DetectorBoom(RuntimeError):
    """Raised on purpose by KeywordDetector."""


class KeywordDetector(Detector):
    name: ClassVar[str] = "test_keyword"
    finding_types: ClassVar[frozenset[str]] = frozenset({"TEST_KEYWORD"})

    def detect(self, message: Message) -> list[Finding]:
        findings = []
        for block in message.texts:
            for match in _KEYWORD.finditer(block.text):
                word = match.group(1)
                if word == "BOOM":
                    raise DetectorBoom("test detector failed on purpose")
                if word == "HANG":
                    time.sleep(600)
                if word == "SLOW":
                    time.sleep(SLOW_SECONDS)
                explained = block.text.startswith("-EXPLAINED", match.end())
                basis = Basis("the test keyword", 0.8, (("written in capitals", 0.2),))
                findings.append(
                    Finding(
                        detector=self.name,
                        type="TEST_KEYWORD",
                        location=block.location,
                        score=1.0,
                        basis=basis if explained else None,
                        evidence=f"KEYWORD-{word[:1]}****",
                        explanation=f"The test keyword for {word.lower()} was found.",
                        kind=word.lower(),
                        span=match.span(),
                    )
                )
        return findings
