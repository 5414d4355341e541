"""Which texts of a message are scored together, for the detector and for training.

The subject, the bodies (text and HTML copies are separate blocks, so one phrase is
never counted twice) and any attached forwarded message form one unit with the
message's forwarding structure; every other attached document is a unit of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from detectors.chain_letters.cues import Hit
from detectors.chain_letters.features import vector, windows
from detectors.chain_letters.model import Block, Scorer, hits_in
from detectors.mass_forwarding import MassForwarding, mass_forwarding
from models import Message
from models.location import Location


@dataclass(frozen=True, slots=True)
class Limits:
    max_chars_per_text: int = 100_000
    max_chars_per_message: int = 1_000_000
    min_forward_prefixes: int = 2
    min_forwarded_blocks: int = 2
    min_copied_addresses: int = 12


@dataclass
class Unit:
    subject: Block
    locations: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    bodies: list[Block] = field(default_factory=list)
    structure: MassForwarding = field(default_factory=MassForwarding)


def _attached_message_paths(message: Message) -> set[str]:
    return {p.path for p in message.facts.parts if p.content_type == "message/rfc822"}


def read_units(
    message: Message, scorer: Scorer, limits: Limits, *, structure: bool = True
) -> list[Unit]:
    """The units of a message, the first one its main unit (subject, bodies, attached
    messages); with `structure` False the main unit's forwarding structure is left for
    the caller (`forwarding_structure`), which may not need it."""
    attached = _attached_message_paths(message)
    empty = scorer.empty
    main = Unit(subject=empty)
    documents: list[Unit] = []
    budget = limits.max_chars_per_message
    for text_block in message.texts:
        if budget <= 0:
            break
        text = text_block.text[: min(limits.max_chars_per_text, budget)]
        budget -= len(text)
        location = text_block.location
        path = Location.parse(location).file
        unit = main
        if location == "subject":
            main.subject = scorer.block(text)
            continue
        if location != "body" and not (path is not None and path in attached):
            if path is None:
                continue
            unit = Unit(subject=empty)
            documents.append(unit)
        unit.locations.append(location)
        unit.texts.append(text)
        unit.bodies.append(scorer.block(text))
    if structure:
        main.structure = forwarding_structure(message, main, limits)
    return [main, *documents]


def forwarding_structure(message: Message, main: Unit, limits: Limits) -> MassForwarding:
    """The forwarding structure of a message's main unit."""
    return mass_forwarding(
        message.subject,
        main.texts,
        min_prefixes=limits.min_forward_prefixes,
        min_blocks=limits.min_forwarded_blocks,
        min_addresses=limits.min_copied_addresses,
    )


def window_hits(unit: Unit, block: int, start: int, end: int) -> list[Hit]:
    body = unit.bodies[block].hits if block >= 0 else []
    return [*unit.subject.hits, *hits_in(body, start, end)]


def unit_vectors(
    unit: Unit, scorer: Scorer, window_tokens: int
) -> Iterator[tuple[dict[str, float], list[Hit]]]:
    """The full feature vector and cue hits of every window of a unit (for training
    and for the test that the fast scorer agrees with a plain dot product)."""
    ranges = [
        (b, s, e)
        for b, body in enumerate(unit.bodies)
        for s, e in windows(len(body.tokens), window_tokens)
    ]
    for b, start, end in ranges or [(-1, 0, 0)]:
        hits = window_hits(unit, b, start, end)
        body = unit.bodies[b].tokens[start:end] if b >= 0 else []
        yield vector(scorer.cues, unit.subject.tokens, body, hits, unit.structure), hits
