"""Each finding says why it has its score (issue 12): what matched, the score that form
starts from, and the context that moved it; the DSL's view shows it. The parts must add
up to the score, and the basis must never carry the matched text."""

from __future__ import annotations

import pytest

from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from models import Directory, Finding, Pupil, StaffMember
from tests.mail import build

DIRECTORY = Directory(
    pupils=(
        Pupil(("Amelia",), ("Okafor",), year="4"),
        Pupil(("Grace",), ("May",), year="3"),
        Pupil(("Tom",), ("Reid",), year="6"),
    ),
    staff=(StaffMember("Tom", "Reid", "tom.reid@westbrook.sch.uk"),),
    version="basis-test",
)


def names(body: str, **kwargs: object) -> list[Finding]:
    detector = PupilNameDetector(PupilNameSettings(), DIRECTORY)
    return detector.detect(build(body, **kwargs))  # type: ignore[arg-type]


def identifiers(body: str) -> list[Finding]:
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    return detector.detect(build(body))


def adds_up(finding: Finding) -> bool:
    assert finding.basis is not None
    total = finding.basis.base + sum(change for _, change in finding.basis.context)
    return abs(total - finding.score) < 1e-6


@pytest.mark.parametrize(
    ("body", "form"),
    [
        ("Amelia Okafor was late today.", "written as a name, forename then surname"),
        ("please ask amelia okafor to bring her kit", "written in lower case"),
        ("Registers:\nOkafor, Amelia\n", "surname first, as a register writes it"),
        ("We saw Grace May at the gate.", "a name that is also an ordinary word"),
    ],
)
def test_a_pupil_name_says_how_it_was_written(body: str, form: str):
    [finding] = names(body)
    assert finding.basis is not None
    assert finding.basis.matched.startswith("a pupil's full name on the roster, " + form)
    assert adds_up(finding)


def test_a_staff_namesake_shows_what_lowered_it():
    [finding] = names("Tom Reid will run the club.")
    assert finding.basis is not None
    assert [why for why, _ in finding.basis.context] == ["also a member of staff's name"]
    assert finding.basis.context[0][1] < 0
    assert adds_up(finding) and finding.score == pytest.approx(0.3)


def test_an_attachment_name_and_a_table_row_name_their_form():
    table = "Forename,Year,Surname\nAmelia,4,Okafor\n"  # the cells are apart
    files = (("Amelia Okafor report.pdf", b"%PDF-1.4"), ("list.csv", table.encode()))
    findings = names("See attached.", attachments=files)
    forms = sorted(f.basis.matched for f in findings if f.basis is not None)
    assert any("in a file name" in form for form in forms), forms
    assert any("two cells of one table row" in form for form in forms), forms
    assert all(adds_up(f) for f in findings)


@pytest.mark.parametrize(
    ("body", "context"),
    [
        ("NHS number: 943 476 5919", ["labelled as an NHS number"]),
        ("the number 943 476 5919 was on the letter", ["written 3-3-4, as the NHS writes them"]),
        ("the transfer file for H801200001001 is ready", []),
        ("UPN: H801200001001", ["labelled as a UPN"]),
    ],
)
def test_an_identifier_says_what_raised_it(body: str, context: list[str]):
    found = [f for f in identifiers(body) if f.basis is not None]
    assert found, identifiers(body)
    finding = found[0]
    assert finding.basis is not None
    assert [why for why, _ in finding.basis.context] == context
    assert adds_up(finding)


def test_the_basis_is_journalled_without_the_matched_text():
    [finding] = names("Amelia Okafor was late today.")
    data = finding.to_json()
    assert data["basis"]["matched"].startswith("a pupil's full name")
    assert data["basis"]["base"] == pytest.approx(finding.score)
    assert "Amelia" not in str(data["basis"]) and "Okafor" not in str(data["basis"])


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("Amelia J. Okafor read to the class.", True),  # a middle initial
        ("Amelia J Okafor read to the class.", True),
        ("Amelia 4 Okafor", False),  # forename, year, surname: a digit is no initial
        ("Amelia\t4\tOkafor", False),  # the same, as a table's cells pasted in
    ],
)
def test_only_a_letter_is_a_middle_initial(body: str, found: bool):
    assert bool(names(body)) is found
