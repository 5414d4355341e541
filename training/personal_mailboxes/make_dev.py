"""Write dev.jsonl: the development set for the own-personal-mailbox check.

    .venv/bin/python training/personal_mailboxes/make_dev.py

Cases are drawn (seeded) from the staff and mailbox shapes below, written for this
project and kept apart from tests/detectors/eval/ (which is for measuring only). Each
line: {id, label, kind, sender_name, sender_email, recipient, display_name, header,
subject, body}; label true means the recipient is the sender's own personal mailbox.
Hard negatives: relatives sharing the surname (including a name that is a short form's
neighbour, Louis for Louise), family mailboxes, other people with the same forename,
longer surnames holding the sender's, short ambiguous local parts, display names of
someone else, colleagues and non-free-mail domains.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHOOL = "westbrook.sch.uk"
FREEMAIL = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com", "live.co.uk")


@dataclass(frozen=True)
class Staff:
    forename: str
    surname: str
    short: str = ""
    """A short form they use ("" when none)."""
    relative: str = ""
    """A relative's forename (same surname): a parent or partner at the school."""


STAFF = (
    Staff("Daniel", "Hughes", "dan", "Megan"),
    Staff("Elizabeth", "Price", "beth", "Gareth"),
    Staff("Fiona", "Campbell", "fi", "Alasdair"),
    Staff("Louise", "Bennett", "lou", "Louis"),
    Staff("Thomas", "Reid", "tom", "Grace"),
    Staff("Katarzyna", "Nowak", "kasia", "Piotr"),
    Staff("Oluwatoyin", "Adeyemi", "toyin", "Tunde"),
    Staff("Sarah", "Okafor", "", "Mark"),
    Staff("Rebecca", "Hall", "becky", "Simon"),
    Staff("Mohammed", "Rahman", "mo", "Aisha"),
    Staff("Siobhan", "Kelly", "shiv", "Ciaran"),
    Staff("Wojciech", "Kowalski", "wojtek", "Anna"),
    Staff("Małgorzata", "Wiśniewska", "gosia", "Tomasz"),
    Staff("Oluwaseun", "Bakare", "seun", "Kemi"),
    Staff("Chukwuemeka", "Eze", "emeka", "Ngozi"),
    Staff("Jonathan", "Price-Evans", "jon", "Helen"),
    Staff("Priya", "Shah", "", "Rohan"),
    Staff("Gareth", "Evans", "gaz", "Sian"),
    Staff("Victoria", "Marsh", "vicky", "Ian"),
    Staff("Christopher", "Doyle", "chris", "Niamh"),
    Staff("Aleksandra", "Zielińska", "ola", "Marek"),
    Staff("Konstantinos", "Papadopoulos", "kostas", "Eleni"),
    Staff("Rhiannon", "Pritchard", "rhi", "Owen"),
    Staff("Zoë", "Smith-Jones", "", "Paul"),
    Staff("Amy", "Li", "", "Wei"),
    Staff("Philippa", "Grant", "pippa", "Hugh"),
    Staff("Abdul-Rahman", "Hussain", "abdul", "Fatima"),
    Staff("Olufunmilayo", "Adebayo", "funmi", "Dayo"),
    Staff("Samuel", "O'Connor", "sam", "Orla"),
    Staff("Eleanor", "Wright", "ellie", "James"),
)
SUFFIXES = ("home", "work", "teacher", "school", "private", "personal", "docs", "me")
PREFIXES = ("mrs", "mr", "miss", "ms", "me", "its")
TITLES = ("mrs", "mr", "miss", "ms")
SUBJECTS = ("Notes for Monday", "Reports to finish", "Planning", "Marking", "Y4 data", "Docs")
BODIES = (
    "Sending this to myself to work on at home.",
    "For tonight.",
    "Copy for me.",
    "Please find attached the planning for next week.",
    "Draft letter to parents, to finish later.",
    "",
)

HANDWRITTEN = (
    # (label, kind, sender_name, sender_email local, recipient, display name, header)
    (
        True,
        "hand_suffix_other_word",
        "Claire Dunn",
        "c.dunn",
        "claire.dunn.art@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_suffix_other_word",
        "Imran Qureshi",
        "iqureshi",
        "imran_qureshi_uk@outlook.com",
        "",
        "To",
    ),
    (True, "hand_suffix_other_word", "Hannah Ford", "hford", "hannah.ford.2@icloud.com", "", "Cc"),
    (True, "hand_suffix_word", "Martin Lowe", "mlowe", "mlowe.home@btinternet.com", "", "To"),
    (True, "hand_suffix_word", "Joanne Pike", "jpike", "mrs.pike.teacher@gmail.com", "", "To"),
    (True, "hand_prefix_word", "Nadia Farouk", "nfarouk", "its.nadia.farouk@gmail.com", "", "To"),
    (True, "hand_package_nickname", "Nicholas Grey", "ngrey", "nick.grey@gmail.com", "", "To"),
    (
        True,
        "hand_package_nickname",
        "Jennifer Ashworth",
        "jashworth",
        "jenny.ashworth77@hotmail.co.uk",
        "",
        "Bcc",
    ),
    (
        True,
        "hand_package_nickname",
        "Matthew Fenwick",
        "mfenwick",
        "mattfenwick@outlook.com",
        "",
        "To",
    ),
    (True, "hand_package_nickname", "Deborah Lane", "dlane", "debbie_lane@yahoo.co.uk", "", "To"),
    (True, "hand_package_nickname", "Patricia Moss", "pmoss", "trish.moss@gmail.com", "", "To"),
    (
        True,
        "hand_package_nickname",
        "Alexander Ruiz",
        "aruiz",
        "alex.ruiz.home@gmail.com",
        "",
        "Cc",
    ),
    (True, "hand_nickname_sender", "Dan Hughes", "dhughes", "daniel.hughes84@gmail.com", "", "To"),
    (True, "hand_nickname_sender", "Kasia Nowak", "knowak", "katarzyna.nowak@gmail.com", "", "To"),
    (
        True,
        "hand_nickname_sender",
        "Bill Turner",
        "bturner",
        "william.turner@hotmail.co.uk",
        "",
        "To",
    ),
    (True, "hand_middle_name", "Mary Ann Lee", "mlee", "maryann.lee@gmail.com", "", "To"),
    (True, "hand_middle_initial", "Peter Quinn", "pquinn", "p.j.quinn@gmail.com", "", "To"),
    (
        True,
        "hand_double_barrelled",
        "Lucy Hart-Davis",
        "lhartdavis",
        "lucy.hartdavis@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_double_barrelled",
        "Lucy Hart-Davis",
        "lhartdavis",
        "lucydavis@gmail.com",
        "",
        "To",
    ),
    (True, "hand_apostrophe", "Ciara O'Brien", "cobrien", "ciara.obrien@live.co.uk", "", "To"),
    (True, "hand_accent", "José Ferreira", "jferreira", "jose.ferreira@gmail.com", "", "To"),
    (True, "hand_accent", "Zoë Clarke", "zclarke", "zoe_clarke@hotmail.co.uk", "", "To"),
    (True, "hand_title_sender", "Mrs Okafor", "sokafor", "sarah.okafor@gmail.com", "", "To"),
    (True, "hand_title_sender", "Mr Patel", "rpatel", "r.patel.school@gmail.com", "", "To"),
    (True, "hand_single_word_sender", "Rachel", "rgreen", "rachelgreen@gmail.com", "", "To"),
    (
        True,
        "hand_sender_note",
        "Tom Reid - Head of Year 9",
        "treid",
        "tom.reid@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_sender_note",
        "Sian Jones | Westbrook",
        "sjones",
        "sianjones1@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_display_self",
        "Ruth Adams",
        "radams",
        "gardenlover@gmail.com",
        "Ruth Adams (personal)",
        "To",
    ),
    (True, "hand_display_self", "Ruth Adams", "radams", "radams.home@gmail.com", "Me", "Cc"),
    (
        True,
        "hand_display_nickname",
        "Rebecca Stone",
        "rstone",
        "bex.s@gmail.com",
        "Becky Stone",
        "To",
    ),
    (
        True,
        "hand_forename_initial",
        "Charlotte Byrne",
        "cbyrne",
        "charlotte.b@gmail.com",
        "",
        "Bcc",
    ),
    (True, "hand_forename_initial", "Kwame Mensah", "kmensah", "kwamem@gmail.com", "", "To"),
    (True, "hand_nickname_initial", "Thomas Reid", "treid", "tom.r@gmail.com", "", "To"),
    (
        True,
        "hand_suffix_after_initial",
        "Martin Lowe",
        "mlowe",
        "m.lowe.london@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_suffix_after_initial",
        "Joanne Pike",
        "jpike",
        "pike.j.2019@outlook.com",
        "",
        "Cc",
    ),
    (True, "hand_suffix_after_initial", "Greta Holm", "gholm", "gholm_stuff@icloud.com", "", "To"),
    (True, "hand_middle_name", "Sarah Okafor", "sokafor", "sarah.jane.okafor@gmail.com", "", "To"),
    (
        True,
        "hand_maiden_name",
        "Sarah Okafor",
        "sokafor",
        "sarah.hughes.okafor@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_maiden_name",
        "Sarah Okafor-Hughes",
        "sokaforhughes",
        "sarah.hughes@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_double_barrelled",
        "Sarah Okafor",
        "sokafor",
        "sarah.okafor-hughes@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_package_nickname",
        "James Whitfield",
        "jwhitfield",
        "jim.whitfield@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_package_nickname",
        "Michael Dunne",
        "mdunne",
        "mike_dunne@hotmail.co.uk",
        "",
        "To",
    ),
    (True, "hand_package_nickname", "Kathleen Roe", "kroe", "kath.roe@gmail.com", "", "To"),
    (True, "hand_package_nickname", "Stuart Bell", "sbell", "stu.bell.home@gmail.com", "", "To"),
    (
        True,
        "hand_package_nickname",
        "Gillian Moore",
        "gmoore",
        "gill.moore62@yahoo.co.uk",
        "",
        "To",
    ),
    (
        True,
        "hand_suffix_other_word",
        "Nadia Farouk",
        "nfarouk",
        "nadiafarouk.art@gmail.com",
        "",
        "To",
    ),
    (True, "hand_suffix_word", "Nadia Farouk", "nfarouk", "nadiafaroukstaff@gmail.com", "", "To"),
    (True, "hand_surname_first_sender", "OKAFOR Sarah", "sokafor", "s.okafor@gmail.com", "", "To"),
    (True, "hand_surname_first_sender", "Wang Li", "li.wang", "liwang88@gmail.com", "", "To"),
    (True, "hand_surname_first_sender", "Wang Li", "li.wang", "l.wang.home@gmail.com", "", "Bcc"),
    (True, "hand_surname_first_sender", "Kim Minjun", "minjun.kim", "kim.m@gmail.com", "", "To"),
    (True, "hand_single_letter_suffix", "Ruth Adams", "radams", "ruth.adams.x@gmail.com", "", "To"),
    (True, "hand_forename_initial", "Ruth Adams", "radams", "ruth.ada@gmail.com", "", "To"),
    (
        True,
        "hand_double_reversed",
        "Lucy Hart-Davis",
        "lhartdavis",
        "lucydavishart@gmail.com",
        "",
        "To",
    ),
    (True, "hand_prefix_word", "Ruth Adams", "radams", "hello.ruthadams@gmail.com", "", "To"),
    (False, "hand_surname_first_other", "Wang Li", "li.wang", "wei.wang@gmail.com", "", "To"),
    (
        True,
        "hand_sender_pronouns",
        "Ruth Adams she/her",
        "radams",
        "ruth.adams@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_sender_school",
        "Ruth Adams Westbrook Primary",
        "radams",
        "r.adams1@gmail.com",
        "",
        "To",
    ),
    (
        True,
        "hand_particle_surname",
        "Pieter van der Berg",
        "pvanderberg",
        "pieter.vanderberg@gmail.com",
        "",
        "To",
    ),
    (True, "hand_particle_surname", "Yusuf Al-Amin", "yalamin", "yusuf.amin@gmail.com", "", "To"),
    (False, "hand_family_plural", "Sarah Okafor", "sokafor", "okafors@gmail.com", "", "To"),
    (
        False,
        "hand_particle_only",
        "Pieter van der Berg",
        "pvanderberg",
        "anna.van@gmail.com",
        "",
        "To",
    ),
    (False, "hand_family_word", "Martin Lowe", "mlowe", "m.lowe.family@gmail.com", "", "To"),
    (False, "hand_family_word", "Martin Lowe", "mlowe", "lowe.kids@gmail.com", "", "To"),
    (False, "hand_family_word", "Sarah Okafor", "sokafor", "okafor.mum@gmail.com", "", "To"),
    (False, "hand_different_name", "Lee Carter", "lcarter", "levi.carter@gmail.com", "", "To"),
    (False, "hand_different_name", "Mark Hinds", "mhinds", "marcus.hinds@gmail.com", "", "To"),
    (False, "hand_different_name", "Jacqueline Ross", "jross", "jack.ross@gmail.com", "", "To"),
    (False, "hand_different_name", "Amy Reed", "areed", "amelia.reed@gmail.com", "", "To"),
    (False, "hand_surname_run_on", "Jane Han", "jhan", "jane.hansen@gmail.com", "", "To"),
    (False, "hand_other_person", "Sarah Okafor", "sokafor", "sarah.o.brien@gmail.com", "", "To"),
    (False, "hand_gender_pair", "Daniel Hughes", "dhughes", "danielle.hughes@gmail.com", "", "To"),
    (False, "hand_gender_pair", "Louise Bennett", "lbennett", "louis.bennett@gmail.com", "", "To"),
    (False, "hand_gender_pair", "Paul Fisher", "pfisher", "paula.fisher@gmail.com", "", "To"),
    (False, "hand_different_name", "John Carter", "jcarter", "jack.carter@gmail.com", "", "To"),
    (False, "hand_different_name", "John Carter", "jcarter", "ian.carter@gmail.com", "", "To"),
    (False, "hand_different_name", "Emily Shaw", "eshaw", "emma.shaw@gmail.com", "", "To"),
    (False, "hand_different_name", "Aaron Webb", "awebb", "erin.webb@gmail.com", "", "To"),
    (False, "hand_family", "Sarah Okafor", "sokafor", "the.okafors@gmail.com", "", "To"),
    (False, "hand_family", "Sarah Okafor", "sokafor", "sarah.okafor.family@gmail.com", "", "To"),
    (
        False,
        "hand_family",
        "Sarah Okafor",
        "sokafor",
        "okaforfamily@gmail.com",
        "Okafor Family",
        "To",
    ),
    (False, "hand_family", "Sarah Okafor", "sokafor", "mark.and.sarah.okafor@gmail.com", "", "To"),
    (
        False,
        "hand_parent_same_surname",
        "Sarah Okafor",
        "sokafor",
        "mark.okafor@gmail.com",
        "",
        "To",
    ),
    (
        False,
        "hand_parent_same_surname",
        "Sarah Okafor",
        "sokafor",
        "m.okafor@gmail.com",
        "Mark Okafor",
        "To",
    ),
    (
        False,
        "hand_other_person_display",
        "Sarah Okafor",
        "sokafor",
        "sarah.o@gmail.com",
        "Sarah Owen",
        "To",
    ),
    (False, "hand_other_person", "Sarah Okafor", "sokafor", "sarah.owusu@gmail.com", "", "To"),
    (False, "hand_other_person", "Sarah Okafor", "sokafor", "sarahjones@gmail.com", "", "To"),
    (False, "hand_surname_contains", "Jane Hall", "jhall", "jane.hallam@gmail.com", "", "To"),
    (False, "hand_surname_contains", "Jane Hall", "jhall", "jane.marshall@gmail.com", "", "To"),
    (False, "hand_surname_contains", "Ann Lee", "alee", "ann.leeson@gmail.com", "", "To"),
    (False, "hand_short_ambiguous", "Amy Li", "ali", "ali@gmail.com", "", "To"),
    (False, "hand_short_ambiguous", "Amy Li", "ali", "al@gmail.com", "", "To"),
    (False, "hand_short_ambiguous", "Ed Ng", "eng", "eng@gmail.com", "", "To"),
    (False, "hand_short_ambiguous", "Jo Smith", "jsmith", "js@gmail.com", "", "To"),
    (False, "hand_forename_only", "Priya Shah", "pshah", "priya.teacher@gmail.com", "", "To"),
    (False, "hand_surname_only", "Priya Shah", "pshah", "shah.home@gmail.com", "", "To"),
    (False, "hand_no_name", "", "office", "office.westbrook@gmail.com", "", "To"),
    (False, "hand_no_name", "Reception", "reception", "reception1@gmail.com", "", "To"),
    (
        False,
        "hand_colleague_same_forename",
        "Sarah Okafor",
        "sokafor",
        "sarah.jones@westbrook.sch.uk",
        "",
        "To",
    ),
    (False, "hand_non_freemail", "Sarah Okafor", "sokafor", "sarah.okafor@nhs.net", "", "To"),
    (
        False,
        "hand_pupil_parent",
        "Kasia Nowak",
        "knowak",
        "piotr.nowak1980@gmail.com",
        "Piotr Nowak",
        "Bcc",
    ),
    (False, "hand_child", "Mohammed Rahman", "mrahman", "aisha.rahman2012@gmail.com", "", "To"),
)


def fold(text: str) -> str:
    """Lower-case ASCII letters, as people write their names in a mailbox."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def surname_key(person: Staff) -> str:
    return fold(person.surname)


def positives(rng: random.Random, p: Staff) -> list[tuple[str, str, str, str]]:
    """(kind, local part, display name, header) shapes of the sender's own mailbox."""
    f, s = fold(p.forename), surname_key(p)
    i = f[0]
    n = rng.randint(1, 99)
    year = rng.randint(1965, 1999)
    suffix = rng.choice(SUFFIXES)
    cases = [
        ("full_name", f"{f}.{s}", "", "To"),
        ("full_name_digits", f"{f}{s}{year}", "", "To"),
        ("surname_first", f"{s}_{f}{n}", "", "Cc"),
        ("suffix_word", f"{f}.{s}.{suffix}", "", "To"),
        ("suffix_word", f"{i}{s}{rng.choice(SUFFIXES)}", "", "To"),
        ("prefix_title", f"{rng.choice(TITLES)}.{s}", "", "To"),
        ("prefix_word", f"{rng.choice(PREFIXES)}.{f}.{s}", "", "To"),
        ("prefix_word", f"{rng.choice(PREFIXES)}{i}{s}", "", "Cc"),
        ("initial_surname", f"{i}.{s}{n}", "", "To"),
        # "okafors" is the family (the Okafors), so an S is kept apart: "okafor.s"
        ("surname_initial", f"{s}{i}" if i != "s" else f"{s}.{i}", "", "Cc"),
        ("forename_surname_initial", f"{f}.{s[0]}", "", "To"),
        ("forename_surname_initial", f"{f}{s[:2]}{n}", "", "To"),
        ("bcc_full_name", f"{f}{s}", "", "Bcc"),
        ("bcc_suffix", f"{f}.{s}.{suffix}", "", "Bcc"),
        ("display_self", f"{rng.choice(['sunflower', 'bluesky', 'runner'])}{n}", "", "To"),
        ("display_self_full", f"{f}{s}{n}", f"{p.forename} {p.surname} (home)", "Cc"),
    ]
    if p.short:
        sh = p.short
        cases += [
            ("nickname", f"{sh}.{s}", "", "To"),
            ("nickname_digits", f"{sh}{s}{n}", "", "To"),
            ("nickname_suffix", f"{sh}.{s}.{suffix}", "", "Bcc"),
            ("nickname_display", f"{sh}_{s}", f"{sh.title()} {p.surname}", "To"),
        ]
    # the sunflower case is only hers because the display name says so
    return [
        (kind, local, f"{p.forename} {p.surname}" if kind == "display_self" else disp, header)
        for kind, local, disp, header in cases
    ]


def negatives(rng: random.Random, p: Staff) -> list[tuple[str, str, str, str]]:
    """(kind, local part, display name, header) shapes that are not hers."""
    f, s = fold(p.forename), surname_key(p)
    rel = fold(p.relative)
    n = rng.randint(1, 99)
    other_surname = rng.choice(("jones", "patel", "taylor", "brown", "walker", "begum"))
    cases = [
        ("relative_same_surname", f"{rel}.{s}", "", "To"),
        ("relative_same_surname", f"{rel}{s}{n}", f"{p.relative} {p.surname}", "To"),
        ("family_address", f"the.{s}s", "", "To"),
        ("family_address", f"{s}.family", "", "To"),
        ("family_address", f"{s}family{n}", f"The {p.surname} family", "Cc"),
        ("same_forename_other_person", f"{f}.{other_surname}", "", "To"),
        ("same_forename_other_person", f"{f}{other_surname}{n}", "", "Bcc"),
        ("surname_contains", f"{f}.{s}son", "", "To"),
        ("surname_contains", f"{f}.mc{s}", "", "To"),
        ("forename_alone", f"{f}{n}", "", "To"),
        ("surname_alone", f"{s}{n}", "", "To"),
        ("display_someone_else", f"{f[0]}.{s}", f"{p.relative} {p.surname}", "To"),
        ("parent_unrelated", f"{rng.choice(['jo', 'lee', 'kim'])}.{other_surname}{n}", "", "To"),
        ("short_ambiguous", f"{f[0]}{s[0]}{n}", "", "To"),
        ("colleague_school_domain", f"{f}.{s}", "", "To"),
        ("non_freemail_domain", f"{f}.{s}", "", "To"),
    ]
    if p.short:
        cases.append(("nickname_other_surname", f"{p.short}.{other_surname}", "", "To"))
    return cases


def case(
    rng: random.Random, number: int, p: Staff, label: bool, shape: tuple[str, str, str, str]
) -> dict[str, object]:
    kind, local, display, header = shape
    domain = rng.choice(FREEMAIL)
    if kind == "colleague_school_domain":
        domain = SCHOOL
    elif kind == "non_freemail_domain":
        domain = rng.choice(("cityfarm.org.uk", "examboard.org.uk", "localcouncil.gov.uk"))
    school_local = rng.choice(
        (f"{fold(p.forename)}.{surname_key(p)}", f"{fold(p.forename)[0]}{surname_key(p)}")
    )
    style = rng.random()
    if style < 0.15:
        sender_name = ""  # only the school mailbox names them
        school_local = f"{fold(p.forename)}.{surname_key(p)}"
    elif style < 0.3:
        sender_name = f"{rng.choice(('Mrs', 'Mr', 'Ms', 'Miss', 'Dr'))} {p.forename} {p.surname}"
    elif style < 0.4:
        sender_name = f"{p.surname}, {p.forename}"
    elif style < 0.5:
        sender_name = f"{p.forename} {p.surname} (Year {rng.randint(1, 6)})"
    else:
        sender_name = f"{p.forename} {p.surname}"
    return {
        "id": f"dev-{number:04d}",
        "label": label,
        "kind": kind,
        "sender_name": sender_name,
        "sender_email": f"{school_local}@{SCHOOL}",
        "recipient": f"{local}@{domain}",
        "display_name": display,
        "header": header,
        "subject": rng.choice(SUBJECTS),
        "body": rng.choice(BODIES),
    }


def main() -> None:
    rng = random.Random(20261202)
    cases = []
    for person in STAFF:
        for shape in positives(rng, person):
            cases.append(case(rng, len(cases) + 1, person, True, shape))
        for shape in negatives(rng, person):
            cases.append(case(rng, len(cases) + 1, person, False, shape))
    for label, kind, name, local, recipient, display, header in HANDWRITTEN:
        cases.append(
            {
                "id": f"dev-{len(cases) + 1:04d}",
                "label": label,
                "kind": kind,
                "sender_name": name,
                "sender_email": f"{local}@{SCHOOL}",
                "recipient": recipient,
                "display_name": display,
                "header": header,
                "subject": rng.choice(SUBJECTS),
                "body": rng.choice(BODIES),
            }
        )
    path = HERE / "dev.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for row in cases:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases ({sum(1 for c in cases if c['label'])} positive) -> {path}")


if __name__ == "__main__":
    main()
