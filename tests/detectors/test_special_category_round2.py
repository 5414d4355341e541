"""Special category round 2 (issue 10): wordings, cues and signs added after measuring on
training/special_category/train2.jsonl. One row per behaviour, each with a comment."""

from __future__ import annotations

import time

import pytest

from detectors.person_reference import Sentence, individual_score, names_someone
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from detectors.special_category import SPECIAL_CATEGORY, PhraseMatcher, alternatives
from models import Directory
from tests.mail import build


@pytest.fixture(scope="module")
def detector() -> SensitiveDataDetector:
    return SensitiveDataDetector(SensitiveDataSettings(), Directory())


def flagged(detector: SensitiveDataDetector, body: str, subject: str = "Hello") -> bool:
    findings = detector.detect(build(body, subject=subject))
    return any(f.type == SPECIAL_CATEGORY for f in findings)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        # domestic abuse in a child's words: "dad hit mum", no word "abuse" at all
        ("Circle time", "During circle time Leah said her stepdad punched her mum on Sunday."),
        # ... police called to the family's home
        ("Weekend", "Police were called to their house again on Saturday night."),
        # ... coercive control of a member of staff, disclosed in confidence
        ("Private", "Our cleaner told me her husband controls all her money."),
        # neglect: no coat in winter
        ("Coats", "Marcus came in without a coat again and it was snowing."),
        # ... head lice again and again
        ("Letters", "Nits again for the Hall girls, mum has not replied to any letters."),
        # ... missed medical appointments
        ("Teeth", "She has missed two dentist appointments and has toothache every day."),
        # ... left to fend for himself
        ("Tea", "Kyle says he makes his own tea most nights because nobody is home."),
        # ... not collected
        ("Pick up", "Mia wasn't collected from gymnastics club until 6.30 again."),
        # mental health in natural wording
        ("Ethan", "He says he can't see the point of anything at the moment."),
        # a subject line that sets out a name and the matter: "Name - matter"
        ("Ellis - suspended until Thursday", "Letter attached, please post today."),
        # ... the name in brackets after the matter
        ("New starter - refugee status (Yusuf)", "Could you find him a buddy?"),
        # a Traveller family, the showmen's community
        ("Trip", "Dad is a showman and the family travel with the fair all summer."),
        # the twins, with no names
        ("SEN", "The twins both have EHCPs and start with their new TA on Monday."),
        # a member of staff's religion, by role
        ("Prayer room", "Our new TA is Muslim and has asked for a quiet room to pray."),
        # self-harm: "taking his own life"
        ("Urgent", "He told his tutor he has thought about taking his own life."),
    ],
)
def test_round_two_disclosures_are_found(
    detector: SensitiveDataDetector, subject: str, body: str
) -> None:
    assert flagged(detector, body, subject)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        # the Year 10 biology lesson sent outside (issue 10's false alarm)
        (
            "Y10 biology",
            "Year 10 biology: the immune system, vaccination and how type 2 diabetes is "
            "managed. Worksheets are attached for the cover lesson.",
        ),
        # a history month, not anyone's ethnicity
        ("June", "Gypsy, Roma and Traveller History Month is in June."),
        # a template with a placeholder is about nobody yet
        ("Template", "Dear parent, [PUPIL NAME] has been suspended for two days."),
        # the reader greeted by name is not the subject of the sentence
        ("Calendar", "Thanks Priya, I've added the Early Help meeting to the calendar."),
        # a colleague's remit, not a pupil's circumstances
        ("Ideas", "Amy is leading on pupil premium this year, so send ideas to her."),
        # other senses: neglecting one's inbox
        ("Sorry", "I've neglected my emails this week, sorry for the slow reply!"),
        # a job advert
        ("Vacancy", "Job advert: Early Help Practitioner, the successful candidate will apply."),
        # a report's estimate, not a case
        ("Stats", "The NSPCC report estimates that neglect is the most common form of abuse."),
        # a planned visit, not a pupil's faith
        ("Trips", "A visit to the mosque is planned for Year 5 next month."),
    ],
)
def test_round_two_topics_are_not_found(
    detector: SensitiveDataDetector, subject: str, body: str
) -> None:
    assert not flagged(detector, body, subject)


NEWS = (
    "Mark Chapman, 47, was jailed for life after he admitted the killing in 1980. He was "
    "arrested at the scene and has been refused parole six times, his lawyer said on "
    "Tuesday. The board will consider his case again next year, when he will have served "
    "more than forty years. Campaigners wrote to the governor of the state asking that he "
    "never be released, and a petition gathered thousands of signatures within a week. "
    "Officials declined to comment on the hearing."
)


def test_a_forwarded_news_story_about_a_named_criminal_is_not_a_school_record(
    detector: SensitiveDataDetector,
) -> None:
    """Long prose with no school words is third-party material: it needs a far stronger
    cue than a name and 'he' (the benign corpora's news stories)."""
    assert not flagged(detector, NEWS, "Fwd: story")


def test_the_same_arrest_written_by_staff_about_a_parent_is_found(
    detector: SensitiveDataDetector,
) -> None:
    """A short note, or one that talks about school, is still about someone."""
    assert flagged(detector, "Jake's dad was arrested last night outside the school.")
    assert flagged(detector, NEWS + " Mum asked us to keep an eye on Jake, he was arrested.")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # one choice
        ("~{dad|stepdad} hit*", ["~dad hit*", "~stepdad hit*"]),
        # two choices multiply, and a choice may be several words
        ("{a|the} {call out|callout}", ["a call out", "a callout", "the call out", "the callout"]),
        # no choice: the entry itself
        ("~unwell", ["~unwell"]),
    ],
)
def test_choices_expand_to_one_entry_each(entry: str, expected: list[str]) -> None:
    assert alternatives(entry) == expected


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        # a name before a dash, in a subject line
        ("Ellis - FTE 2 days", True),
        # a name with the year group in brackets
        ("New Roma pupil - Denisa (Y4)", True),
        # a greeted reader is not the subject
        ("Thanks Priya, I've added it to the calendar.", False),
        # a heading word before a dash is not a name
        ("Update - refugee week", False),
    ],
)
def test_names_in_subject_lines_and_greetings(sentence: str, named: bool) -> None:
    assert names_someone(sentence) is named


def test_each_further_strong_cue_adds_to_the_person_score() -> None:
    """'Hamza ... let him' is surer than 'him' alone, so one topic sign does not cancel it."""
    one = individual_score(Sentence("Please let him sit in the library.", "", 0), (0, 0))
    two = individual_score(
        Sentence("Hamza will be fasting, let him sit in the library.", "", 0), (0, 0)
    )
    assert two > one


def test_the_matcher_compiles_its_groups_only_when_used() -> None:
    """Building a scan worker's matcher must not compile ~1,200 patterns up front."""
    from detectors.special_category import default_vocabulary

    vocabulary = default_vocabulary()
    started = time.process_time()
    matcher = PhraseMatcher(vocabulary, frozenset())
    built = time.process_time() - started
    compiled = sum(g._pattern is not None for gs in matcher._groups.values() for g in gs)
    assert compiled == 0 and built < 1.0
    assert matcher.find("Her asthma inhaler is in the office.")


def test_train2_is_what_its_builder_writes() -> None:
    """The training set is generated from hand-written sentences; a hand edit of the
    .jsonl would make the figures reported for it unreproducible."""
    import importlib.util
    import json

    from tests.support import REPO

    folder = REPO / "training" / "special_category"
    spec = importlib.util.spec_from_file_location("build_train2", folder / "build_train2.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lines = (folder / "train2.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == module.build()
    assert len(lines) >= 700
