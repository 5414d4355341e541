"""Is a sentence about one identifiable person, or about a topic?

"Her asthma inhaler is in the office" is health data; "In this lesson pupils will learn
how asthma affects the lungs" is not. The special category matcher asks this module
about the sentence each phrase is in: cues that point at an individual (a name or
initials, "he"/"she", "his mum", "this pupil", "a Year 4 boy", case language such as
"disclosed" or "we have been told") are weighed against signs of general material
(lessons, newsletters, awareness weeks, policies, appeals, statistics, "children who").

Only the sentence of a match (and the one before it, for names) is read, so a message
with no vocabulary phrase in it costs nothing here. Regexes, not spaCy: the product runs
on spacy.blank("en"), whose tokenizer alone costs more than the whole matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from detectors.names.common_words import shipped_common_words
from detectors.nicknames import known_forenames

_SPAN = 300
"""Most characters read either side of a match when looking for its sentence."""

_SENTENCE_END = re.compile(
    r"[.!?]+[\"')\]]*(?=\s)|\n[ \t>]*\n|\n(?=[ \t>]*(?:[-*\u2022]|\d{1,2}[.)]\s))"
)
"""Ends a sentence: . ! ? before a space, a blank line, or a new line starting a bullet.
One line break inside a paragraph is only wrapping."""
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|e\.g|i\.e|etc|approx|no))\.$")
"""A full stop after an initial or a title ("A.J. said", "Mr. Khan") ends nothing."""

STRONG = 2
WEAK = 1


def _words(text: str) -> list[str]:
    """A word list written as wrapped text."""
    return text.split()


_STRONG_CUES = re.compile(
    r"\b(?:"
    r"(?:his|her|their|the|this|a|my|your|our)\s+(?:mum|mom|mother|dad|father|step-?(?:mum|dad)"
    r"|carer|foster\s+carers?|nan|nana|gran|grandma|grandad|grandmother|grandfather"
    r"|brother|sister|sibling|aunt|uncle|son|daughter|baby|key\s*worker|social\s+worker)"
    r"|mum|dad"
    r"|(?:this|that|one|the\s+same)\s+(?:child|pupil|student|boy|girl|young\s+person|learner"
    r"|lad|family|parent|colleague|member\s+of\s+staff)"
    r"|both\s+(?:girls|boys|children|twins|brothers|sisters|siblings)"
    r"|the\s+(?:twins|(?:two|three|four|five)\s+(?:[a-z'-]+\s+)?(?:boys|girls|children|siblings"
    r"|sisters|brothers|kids))"
    r"|(?:our|the|my|a)\s+(?:new\s+)?(?:ta|caretaker|cleaner|nqt|ect|receptionist|cook|site\s+manager"
    r"|lsa|trainee|student\s+teacher|lunchtime\s+supervisor|supply\s+teacher|office\s+manager)"
    r"(?:\s+(?:is|was|has|had|told|said|asked))"
    r"|(?:mummy|daddy|nan|nanny|grandad|stepdad|stepmum)"
    r"|(?:i\s+am|i'm)\s+(?:a\s+)?(?:muslim|jewish|hindu|sikh|christian|catholic|buddhist|gay"
    r"|lesbian|bisexual|trans|pregnant|autistic|dyslexic|diabetic|epileptic|disabled)"
    r"|(?:my|our)\s+(?:child|kid|son|daughter)|my\s+(?:husband|wife|partner|colleague)"
    r"|(?:a|one|another|the|our|my|this|that)\s+(?:new\s+)?(?:(?:year|yr|y)\s*\d{1,2}|reception|nursery|sixth\s+form"
    r"|little|young|new)\s+(?:boy|girl|child|pupil|student|lad|learner)"
    r"|(?:a|one|another)\s+(?:boy|girl|child|pupil|student|lad|learner|member\s+of\s+staff"
    r"|colleague|parent)\s+(?:in|from|on)\s+(?:my|our|your|the|his|her|year|yr|class|form|set)"
    r"|(?:boy|girl|child|pupil|student)\s+in\s+(?:my|our|your)\s+(?:class|form|group|set)"
    r"|disclos(?:ed|es|ing|ure)|confided|we\s+(?:have|'ve)\s+been\s+(?:told|informed|made\s+aware)"
    r"|(?:has|have)\s+told\s+(?:me|us)|told\s+(?:me|us|staff|her\s+teacher|his\s+teacher)"
    r"|logging\s+(?:this|that)|for\s+(?:the\s+)?(?:record|file|log)|please\s+log|(?<!be\s)logged"
    r"|concerns?\s+(?:about|for|regarding)|worried\s+about|referral\s+for|referred"
    r"|called\s+in\s+(?:to\s+say|this\s+morning)|rang\s+(?:to\s+say|this\s+morning|the\s+office)"
    r"|(?:i|we)\s+(?:noticed|observed|saw|spoke)|(?:he|she)\s+(?:said|says|told|mentioned)"
    r"|(?:i|i'm|i\s+am|i've|i\s+have|i\s+was)\s+(?:been\s+)?(?:diagnosed|signed\s+off|off\s+sick"
    r"|on\s+medication|taking|suffering|struggling|pregnant)"
    r"|(?:my|his|her)\s+(?:own\s+)?(?:diagnosis|condition|medication|meds|inhaler|epipen"
    r"|treatment|gp|consultant|therapist|counsellor|pronouns|faith|religion)"
    r"|he|she|him|himself|herself"
    r")\b"
)
"""Point at one person. "he"/"she" are here because, next to a vocabulary phrase, they
almost always mean the pupil; lesson material that uses them is caught by its topic signs."""

_STRONG_CUES_OTHER_LANGUAGES = re.compile(
    r"(?<!\w)(?:"
    r"mój\s+syn|moja\s+córka|mojego\s+syna|mojej\s+córki|moje\s+dziecko|mój\s+mąż"
    r"|moja\s+żona|mój\s+były\s+partner|tata\s+\w+a\b|syn\s+jest|córka\s+jest"
    r"|fiul\s+meu|fiica\s+mea|copilul\s+meu|soțul\s+meu|sotul\s+meu|soția\s+mea"
    r"|(?:o\s+)?meu\s+filho|(?:a\s+)?minha\s+filha|meu\s+marido|minha\s+mulher"
    r"|mano\s+sūnus|mano\s+sunus|mano\s+dukra|mano\s+vaikas|mano\s+vyras"
    r"|میرا\s+بیٹا|میری\s+بیٹی|میرے\s+بیٹے|میرا\s+بچہ|میرے\s+شوہر|میری\s+بچی"
    r"|ابني|ابنتي|زوجي|طفلي|ابنى"
    r"|আমার\s+ছেলে|আমার\s+মেয়ে|আমার\s+সন্তান|আমার\s+স্বামী"
    r"|ਮੇਰਾ\s+ਪੁੱਤਰ|ਮੇਰੀ\s+ਧੀ|ਮੇਰਾ\s+ਬੱਚਾ|ਮੇਰੇ\s+ਪਤੀ|ਮੇਰਾ\s+ਬੇਟਾ|ਮੇਰੀ\s+ਬੇਟੀ"
    r"|suntem\s+o\s+familie|familia\s+noastră|fiul\s+nostru|fiica\s+noastră|suntem\s+\w+i"
    r"|(?:a\s+)?nossa\s+família|o\s+nosso\s+filho|a\s+nossa\s+filha|somos\s+(?:uma\s+família|\w+s)"
    r"|nasza\s+rodzina|nasz\s+syn|nasza\s+córka|jesteśmy\s+\w+"
    r"|mūsų\s+šeima|mūsų\s+sūnus|mūsų\s+dukra"
    r"|\bmama\s+lui|mama\s+ei|tatăl\s+lui|tatăl\s+ei|da\s+mãe|do\s+pai|jego\s+mama|jej\s+mama"
    r")(?!\w)"
)
"""A parent writing about their own child (or partner) in the languages most spoken in UK
schools after English; no \\b, since a Bengali or Gurmukhi word may end in a vowel sign,
which is not a word character."""

_NAME_OTHER_LANGUAGES = re.compile(
    r"(?<![\w'])(?:(?:[Oo]|A|Pan|Pani)\s+[A-Z][^\W\d_]+"
    r"|[A-Z][^\W\d_]+\s+(?:a\s+fost|este|merge|ține|ţine|are|îngrijește|está|tem|foi|anda|cuida"
    r"|ficou|ma|jest|był|była|bierze|choruje|yra|turi|serga))(?!\w)"
)
"""A name in a parent's message in another language: "O Gabriel anda...", "Ioana a fost
diagnosticată...", "Kacper ma..." (read only in a text with letters beyond ASCII)."""

_WEAK_CUES = re.compile(
    r"\b(?:his|her|hers|they've|my|your\s+(?:child|son|daughter)"
    r"|the\s+(?:child|pupil|student|boy|girl|young\s+person|family|parent)"
    r"(?!\s+(?:premium|referral|voice|council|parliament|support|services?|population|numbers?))"
    r"|(?:their|his|her|new|this)\s+family|mother|father|parent|carer|attended|absent|today"
    r"|yesterday|this\s+morning|last\s+night|(?:mr|mrs|ms|miss|mx|dr)\.?\s+[a-z]"
    r"|(?:in|from)\s+(?:\d{1,2}[a-z]{1,2}|y\d{1,2})|(?:visit|visiting|see|seeing)\s+them)\b"
)
"""Suggest a person but also turn up in general text ("her" in a story, "the child" in a
policy)."""

_TOPIC_SIGNS = re.compile(
    r"\b(?:lessons?|curriculum|scheme\s+of\s+work|pupils\s+will|students\s+will"
    r"|children\s+will|learn(?:ing)?\s+(?:about|objectives?|intentions?|outcomes?)|we\s+will\s+learn"
    r"|will\s+learn|will\s+explore|explore\s+how|topic|unit\s+\d|worksheets?|homework|revision"
    r"|exam\s+(?:question|board)|textbook|gcse|a-level|key\s+stage|ks[1-5]|pshe|rshe|rse"
    r"|biology|science|history|geography|re\s+lesson|religious\s+(?:education|studies)"
    r"|(?:awareness|action)\s+(?:week|day|month)|all\s+welcome"
    r"|what(?:'s|\s+is)\s+the\s+difference|difference\s+between"
    r"|(?:week|day|month)\s+of|assembly|assemblies|workshops?"
    r"|(?:history|heritage|awareness|pride)\s+month|job\s+advert|advert|clause|contract"
    r"|estimat\w*|most\s+common|planned\s+for|visits?\s+to|trips?\s+to"
    r"|successful\s+candidate|closing\s+date|salary|per\s+annum|the\s+(?:role|post)|this\s+role"
    r"|apply|(?<!'s\s)(?<!his\s)(?<!her\s)(?<!their\s)applications?|the\s+school\s+will"
    r"|we\s+will\s+(?:always|ensure|support|work|aim)"
    r"|will\s+(?:only\s+)?be\s+(?:offered|given|supported|expected)|(?:are|is)\s+entitled|where\s+appropriate"
    r"|in\s+(?:line|accordance)\s+with|cohort|number\s+of|trends?|rates?|compared\s+(?:to|with)"
    r"|scenario|case\s+study|hypothetical|role[\s-]play|imagine|what\s+would\s+you|discuss\w*"
    r"|slides?|modules?|e-?learning|refresher|self-refer\w*|referrals?\s+(?:can|are|should|must)"
    r"|can\s+be\s+(?:made|found|accessed)|(?:families|parents|carers)\s+can|available\s+(?:to|for)"
    r"|open\s+to\s+(?:all|any)|if\s+(?:you|your)|governors'?\s+report|annual\s+report"
    r"|\d+\s*%|this\s+academic\s+year"
    r"|what\s+(?:should|would|do|could)\s+(?:you|staff|we)|fictional|fictitious|e\.g\.|example"
    r"|dear\s+(?:parents|families|all|colleagues)|parents\s*/\s*carers|provid(?:es|ing)\s+(?:support"
    r"|help|advice)|support\s+for\s+(?:families|children|pupils|parents|young|carers)"
    r"|(?:pupils|children|students|staff|parents)\s+(?:will|must|should|may)|we\s+are\s+(?:seeking"
    r"|looking)|you\s+will|ideal\s+candidate|knowledge\s+of|term\s+time|hours\s+per\s+week"
    r"|full[\s-]time|part[\s-]time|rose|fell\s+(?:to|from|by)|increased|decreased|doubled"
    r"|(?:has|have)\s+(?:fallen|risen)"
    r"|committee|termly|summary"
    r"|webinars?|training|courses?|conferences?|cpd|inset|newsletter|bulletin|article|blog|podcast"
    r"|research\w*|study|studies|survey|statistics|figures|per\s*cent|percent|national|nationally"
    r"|government|guidance|policy|policies|procedures?|statutory|legislation|the\s+law"
    r"|the\s+act|framework|definition|defined\s+as|means\s+that|is\s+a\s+(?:condition|disorder)"
    r"|symptoms\s+(?:of|include)|signs\s+of|causes\s+of|such\s+as|for\s+example"
    r"|donate|donations?|fundrais\w*|sponsor\w*|charity|charities|appeal|raise\s+money"
    r"|volunteers?|(?:children|pupils|students|people|families|young\s+people|adults|anyone"
    r"|those|staff|parents|teachers)\s+who|many\s+(?:children|pupils|people|families|young)"
    r"|some\s+(?:children|pupils|people|families)|(?:a|any|every|each)\s+(?:pupil|child|student"
    r"|young\s+person|learner|person|member\s+of\s+staff)\s+who|(?:children|pupils|students"
    r"|people|young\s+people|families|those)\s+(?:with|living|in\s+care|affected|from)"
    r"|if\s+your\s+child|if\s+you\s+(?:think|are|have|know|suspect|notice)|staff\s+(?:should|must)"
    r"|must\s+be|should\s+be|should\s+be\s+aware|please\s+(?:contact|speak|apply|book|visit)"
    r"|if\s+you\s+would|talks?\s+(?:to|about)|leading\s+on|lead\s+on|cover(?:ing)?\s+the|run(?:ning)?\s+the"
    r"|on\s+a\s+course|chairing|offered\s+to|designated\s+teacher|visiting\s+to|the\s+team"
    r"|library|calendar|looking\s+for|template|information\s+evening|group|club|clubs"
    r"|drop-in|sessions?|visit\s+from|speakers?|allocation|funding|can\s+(?:help|support"
    r"|offer)|our\s+\w+\s+offer|offers?\s+support|around\s+the\s+world|novel|story|stories"
    r"|fiction"
    r"|all\s+(?:children|pupils|staff|schools)"
    r"|one\s+in\s+(?:\w+|\d+)|\d+\s+in\s+\d+|millions?|thousands|worldwide|across\s+the\s+(?:uk|country)"
    r"|resources?|leaflets?|posters?|display|film|documentary"
    r"|(?<!we\s)(?<!to\s)(?<!i\s)(?<!you\s)book|novel|poem|character"
    r"|famous|historical|in\s+the\s+past|festival|celebrat\w+|ramadan|eid|diwali|christmas"
    r"|easter|hanukkah|vaisakhi|pride\s+month|refugee\s+week|black\s+history|vaccinations?"
    r"|immune|immunity|antibod\w*|pathogens?|hormones?|organs?|cells|virus(?:es)?|bacteria"
    r"|disease(?:s)?\s+(?:is|are|can)|can\s+(?:cause|affect|lead)|affects?\s+(?:the|about|around)"
    r"|helpline|signpost\w*|support\s+services|information\s+(?:about|on)|find\s+out\s+more"
    r"|visit\s+(?:www|http)|www\.|https?://|click|register\s+(?:now|here)|book\s+(?:now|your)"
    r"|according\s+to|reuters|associated\s+press|told\s+reporters|spokes(?:man|woman|person)"
    r"|correspondent|officials|police\s+said|the\s+(?:bbc|guardian|times|telegraph|independent)"
    r"|(?:,\s+\d{2},)|(?:in|since|from)\s+(?:19|20)\d\d|inmates?|prisoners|defendants?|suspects?"
    r"|jury|trial|judge|the\s+court|press|media"
    r"|(?<!good\s)(?<!great\s)(?<!sad\s)(?<!bad\s)news|journalists?|reporters?|headlines?"
    r"|vacancy|vacancies|job\s+description|applicants?|recruit\w*|experience\s+(?:of|in|with)"
    r"|the\s+(?:play|film|novel|musical|episode|series|show)|deals\s+with|tells\s+the\s+story"
    r"|scenes?|script|rehears\w+|will\s+play|plays\s+the|theme|essays?|memoir|autobiography"
    r"|interview|publicly|fans|matches|league|fixtures?|reports\s+of|check\s+your\s+child"
    r"|chapters?|extract|diary\s+entry|point\s+of\s+view|announced|statement)\b"
)
"""Signs that the text is about a subject, not a person: teaching, events, policy,
appeals, statistics and generic plurals ("children who...")."""

_INITIALS = re.compile(r"\b(?:[A-Z]\.\s?){1,2}[A-Z]?\.?(?=[\s,;:)]|$)|\b[A-Z]{2}\b")
"""'A.J.', 'J.T', 'JT': initials as staff write them for a pupil."""

_CAPITALISED = re.compile(r"(?<![\w'\u2019])[A-Z][a-z]+(?:-[A-Z]?[a-z]+|'[A-Z][a-z]+)?\b")

_ACRONYMS = frozenset(
    _words(
        """
        AM PM OK UK GB EU US TA PE RE DT IT PA PP GP AP NI HR ID IQ TV PC SL DS PS CP MP
        OT ED AE BC AD NB VS EG IE OR
        """
    )
)
"""Two capitals that are not someone's initials."""

_NON_NAMES = frozenset(
    _words(
        """
        the this that these those there then than they their them we our you your he she
        his her it its a an and or but if when while as at on in of to for from by with
        without after before during since until please thanks thank dear hi hello kind
        regards best many all any some each every most more no not yes also just only so
        very can could would should will shall may might must do does did is are was
        were be been being have has had i im ive id ill my me mine today yesterday
        tomorrow tonight morning afternoon monday tuesday wednesday thursday friday
        saturday sunday january february march april june july august september october
        november december year years term week weeks day school schools class pupils
        pupil students student children child parents parent staff teacher teachers head
        headteacher governors governor office team department council local authority
        service services lesson lessons science biology history geography english maths
        music art drama religion religious christianity islam judaism hinduism sikhism
        buddhism christian christians muslim muslims jewish hindu sikh buddhist catholic
        church mosque synagogue temple god bible quran torah prayer prayers gay lesbian
        bisexual trans transgender pride lgbt lgbtq queer nonbinary gypsy roma traveller
        travellers irish british white black asian mixed african caribbean pakistani
        indian bangladeshi chinese polish romanian english scottish welsh european
        refugee refugees asylum home office nhs camhs send sen ehcp health mental
        depression anxiety autism asthma diabetes epilepsy adhd ptsd ocd cancer covid
        awareness early help social care children's society national mind young carers
        carer trust barnardo's nspcc childline samaritans kooth police court prison
        probation youth offending team here where what why how who which whose whom new
        old first second next last other another such same own mr mrs ms miss mx dr sir
        madam re fw fwd subject sent attached please note update reminder meeting news
        newsletter information important urgent ramadan eid diwali christmas easter
        hanukkah vaisakhi passover lent advent pride mind barnardos unicef oxfam google
        microsoft teams zoom england britain uk london europe africa asia crown prosecution
        court justice agency department ministry authority company university hospital
        college academy trust board commission parliament congress senate month week
        fortnight heritage nspcc parkinson alzheimer crohn huntington tourette asperger
        hodgkin addison perthes osgood reception nursery
        """
    )
)
"""Capitalised words that start sentences or name topics, never a pupil."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a block, with the sentence before it (where a name often is)."""

    text: str
    before: str
    start: int


def sentence_at(text: str, start: int, end: int) -> Sentence:
    """The sentence containing text[start:end], found by scanning at most _SPAN either side."""
    low = max(0, start - _SPAN)
    ends_before = [
        m.end()
        for m in _SENTENCE_END.finditer(text, low, start)
        if not _NOT_AN_END.search(text, max(0, m.start() - 6), m.start() + 1)
    ]
    begin = ends_before[-1] if ends_before else low
    previous = ends_before[-2] if len(ends_before) > 1 else low
    finish = min(len(text), end + _SPAN)
    for m in _SENTENCE_END.finditer(text, end, finish):
        if not _NOT_AN_END.search(text, max(0, m.start() - 6), m.start() + 1):
            finish = m.end()
            break
    return Sentence(text[begin:finish], text[previous:begin], begin)


@lru_cache(maxsize=1)
def forenames() -> frozenset[str]:
    """Lower-case forenames and their short forms (Kasia, Toyin): the nicknames package's
    names and detectors/data/uk_school_nicknames.txt, read by detectors.nicknames."""
    return known_forenames()


def names_someone(sentence: str, skip: tuple[int, int] = (0, 0)) -> bool:
    """A name or initials in the sentence, outside `skip` (the matched phrase itself)."""
    for m in _INITIALS.finditer(sentence):
        if skip[0] <= m.start() < skip[1]:
            continue
        token = m.group().replace(".", "").replace(" ", "")
        if len(token) == 1 or token not in _ACRONYMS:
            return True
    common = shipped_common_words()
    known = forenames()
    for m in _CAPITALISED.finditer(sentence):
        if skip[0] <= m.start() < skip[1] or _GREETING.search(
            sentence, max(0, m.start() - 16), m.start()
        ):
            continue
        word = m.group().lower()
        if word in _NON_NAMES:
            continue
        if sentence[m.end() : m.end() + 2] in ("'s", "\u2019s", "s'"):
            return True
        if _FAMILY_AFTER.match(sentence, m.end()):
            return True
        starts = not sentence[: m.start()].strip(" \t\n\"'(-*>\u2022")
        if word in known and not (starts and word in common):
            return True
        if word in known and (
            _NAME_VERB.match(sentence, m.end())
            or _labelled(sentence, m.start(), m.end(), known=True)
        ):
            return True  # "Jack was excluded", "Jay - transitioning": a name in its place
        if starts and _WORD_SHAPE.search(word):
            continue  # "Medicines will...", "Racist incidents must...": not a name
        if (word not in common or not starts) and _named_in_position(sentence, m.start(), m.end()):
            return True
    return False


_WORD_SHAPE = re.compile(
    r"(?:[bcdfghkmnprtvwxz]s|[cgnrstvz]es|ies|ing|ly|ness|ment|ity|tion|sion|ists?|ous)$"
)
"""Endings of an unknown capitalised first word that is an ordinary word, not a name
(plurals, -ing, -ed, -ly...): forenames of these shapes are in the known list."""

_GREETING = re.compile(
    r"(?i)\b(?:hi|hiya|hello|dear|thanks|thank\s+you|cheers|morning|afternoon|ta|hey"
    r"|contact|email|e-mail|ring|phone|cc|speak\s+to|talk\s+to|ask|message"
    r"|(?:names|forms|replies|slips|details)\s+(?:back\s+)?to)[ \t]*,?[ \t]*$"
)
"""'Thanks Priya', 'Dear Sarah', 'contact Jo': the reader or a contact, not the person the
sentence is about."""

_FAMILY_AFTER = re.compile(r"\s+(?:family|twins|household|siblings|children)\b")
"""'the Ahmadi family'."""

_NAME_VERB = re.compile(
    r"\s+(?:[A-Z][a-z]+\s+)?(?:has|had|is|was|isn't|wasn't|needs|takes|took|uses|came|comes"
    r"|said|says|told|disclosed|lives|went|goes|cuts|cut|self-harms|became|will|won't"
    r"|cannot|can't|could|must|should|may|might|did|does|doesn't|didn't|seems|seemed"
    r"|appeared|looks|looked|started|stopped|missed|refused|arrived|left|wears|wore|eats"
    r"|attends|attended|gets|got|hasn't|hadn't|would|wants|wanted|can|likes|prefers|asked"
    r"|admitted|mentioned|shared|showed|ran|hit|hits|hurt|fell|felt|feels|shows|carries"
    r"|lives|moved|joined|returned|reported|spoke|cried|suspended|excluded|arrested|cautioned"
    r"|diagnosed|referred|placed|admitted|sectioned|off|absent|back|now|again|and\s+(?:her|his))\b"
)


def _named_in_position(sentence: str, start: int, end: int) -> bool:
    """An unknown capitalised word in a name's place: before a verb ("Toyin has...") or
    after a word that introduces a person ("that Hope was late", "told Kasia")."""
    if (
        _NAME_VERB.match(sentence, end)
        or _APPOSITIVE.match(sentence, end)
        or _labelled(sentence, start, end)
    ):
        return True
    before = sentence[max(0, start - 12) : start].lower()
    if _NUMBERED.match(sentence, end):
        return False  # "for Paper 1", "in Unit 3": a thing with a number, not a person
    return _INTRODUCER.search(before) is not None


_APPOSITIVE = re.compile(
    r",\s+(?:our|the|a|an|who|aged)\s+(?:new\s+)?(?:[Yy](?:ear|r)?\s*\d{1,2}|[Rr]eception"
    r"|[Nn]ursery|boy|girl|pupil|child|student|lad)\b|,\s+(?:is|was|has|had)\s"
    r"|\s+(?:in|from)\s+(?:[Yy](?:ear|r)?\s*\d{1,2}|[Rr]eception|[Nn]ursery|\d{1,2}[A-Z]{1,2})\b"
    r"|[ \t]+\([a-z]"
)
"""'Bashir, our new Y8 pupil, ...', 'The boy, Abdullahi, is...', 'Tyler in Year 2 is...',
'Kacper (uses a wheelchair)': a name set out as a pupil's."""

_LABEL_AFTER = re.compile(
    r"(?:\s+[A-Z]\.?)?(?:\s+[-\u2013:]\s|\s*\((?:[Yy]|[Yy]r|[Yy]ear)\s*\d|\s+\([A-Z]{1,3}\))"
)
_LABEL_BEFORE = re.compile(r"(?:\s[-\u2013]|\(|:)\s*$")


def _labelled(sentence: str, start: int, end: int, *, known: bool = False) -> bool:
    """A name as a subject line or a note heading sets it out: "Ellis - FTE 2 days",
    "Jasmine (Y4)", "refugee status (Yusuf)"; a known forename also after " - "."""
    if _LABEL_AFTER.match(sentence, end):
        return True
    if _LABEL_BEFORE.search(sentence, max(0, start - 3), start) is None:
        return False
    return known or end == len(sentence.rstrip()) or sentence[end : end + 1] == ")"


_NUMBERED = re.compile(r"[ \t]+\d")
_INTRODUCER = re.compile(
    r"\b(?:that|told|asked|saw|pupil|child|student|named|called|re|for|with|found|given|gave"
    r"|offered|collect|collected|support|supporting|helped|helping|sent|seeing|visiting"
    r"|arrested|charged|cautioned|excluded|suspended|interviewed)\s+$"
)


def individual_score(sentence: Sentence, skip: tuple[int, int]) -> int:
    """How strongly the sentence points at one person (0 = not at all). Each further
    distinct strong cue adds one: "Hamza ... let him" is surer than "him" alone."""
    text = sentence.text
    lower = text.lower()  # the cue patterns are lower case: (?i) is several times slower
    weak = WEAK if _WEAK_CUES.search(lower) else 0
    strong = {m.group() for m in _STRONG_CUES.finditer(lower)}
    if not lower.isascii():
        strong.update(m.group() for m in _STRONG_CUES_OTHER_LANGUAGES.finditer(lower))
        strong.update(m.group() for m in _NAME_OTHER_LANGUAGES.finditer(text))
    if names_someone(text, skip):
        strong.add("")
    if strong:
        return STRONG + weak + min(1, len(strong) - 1)
    if weak:
        return WEAK
    if sentence.before and names_someone(sentence.before):
        return WEAK
    return 0


_GENERIC_PERSON = re.compile(
    r"\b(?:(?:where|if|when|whenever|should|unless|once)\s+(?:a|any|the|your|their)\s+"
    r"(?:child|pupil|student|young\s+person|learner|parent|member\s+of\s+staff|colleague)"
    r"|(?:a|any|every|each)\s+(?:child|pupil|student|young\s+person|learner)\s+(?:who|with|that)"
    r"|(?:about|of|on)\s+an?\s+(?:girl|boy|child|teenager|young\s+person|man|woman|family)"
    r"\s+(?:who|whose|with)"
    r"|(?:some|many|all|any)\s+(?:children|pupils|students|families|young\s+people)"
    r"|(?:children|pupils|students|families|young\s+people|those)\s+(?:who|with|in|affected)"
    r"|(?:any|all|every)\s+(?:safeguarding\s+)?(?:concerns?|disclosures?|allegations?|incidents?)"
    r"|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|a\s+number\s+of|a\s+few)"
    r"\s+(?:[a-z-]+\s+){0,3}(?:pupils|children|students|families|exclusions|suspensions"
    r"|referrals|cases|carers)"
    r"|(?:children|pupils|students|families|parents|staff)\s+(?:eligible|entitled|receiving"
    r"|can|may|are\s+able|who\s+are)|how\s+do\s+(?:i|we)|what\s+is\s+the\s+process"
    r"|process\s+for|how\s+should\s+(?:we|i|staff)|who\s+do\s+i|does\s+anyone\s+know|anyone\s+know"
    r"|staff\s+(?:should|must|will\s+need)|what\s+to\s+do\s+if|how\s+to"
    r"|if\s+you(?:'re|\s+are)\s+(?:ever\s+)?(?:worried|concerned)"
    r"|(?:a|the)\s+(?:child|pupil|student|young\s+person|parent)\s+(?:tells|asks|comes\s+to)\s+you"
    r"|if\s+you\s+have\s+(?:any\s+)?(?:concerns|worries)"
    r"|(?:parents|families|carers)\s+of\s+(?:pupils|children|students)"
    r"|(?:children|pupils|students)\s+on\s+(?:the|our)\s"
    r"|(?:some|many|most|all|why|how)\s+(?:muslims|christians|jews|hindus|sikhs|buddhists|catholics"
    r"|atheists|humanists|people|believers)"
    r"|what(?:'s|\s+is|\s+are)\s+the\s+(?:threshold|process|procedure|criteria|deadline|rules?))\b"
)
"""A person in general ("if a pupil discloses", "some children have"): worth a strong
cue, since it comes with the same case words a real report does."""


_STAFF_ROLE = re.compile(
    r"\b(?:our|the\s+school's|school|is\s+our|are\s+our|as\s+our)\s+(?:[a-z-]+\s+){0,4}"
    r"(?:lead|leads|worker|officer|coordinator|co-ordinator|manager|practitioner|team|champion"
    r"|mentor|senco|dsl|nurse|counsellor|advisor|adviser|head|deputy|deputies|teacher)\b"
)
"""A member of staff in a role ("Sarah, our Early Help lead"): the name is a contact,
not the person the sentence is about."""

_ROLE_HOLDER = re.compile(r"\bthe\s+designated\s+(?:teacher|safeguarding\s+lead|person)\b")
"""'The designated teacher for looked-after children is Mr Allen': a role and its holder."""

_PUBLIC_FIGURE = re.compile(
    r"\b(?:footballer|singer|actor|actress|rapper|pop\s+star|celebrity|celebrities|presenter"
    r"|athlete|olympian|boxer|cricketer|comedian|influencer|youtuber|politician|prime\s+minister"
    r"|president|prince|princess|duke|duchess|royal|the\s+(?:king|queen)|former\s+(?:mp|minister)"
    r"|the\s+(?:[a-z]+\s+)?(?:author|mp|writer|novelist|poet|artist|composer|striker|player|star"
    r"|secretary|minister|chancellor|mayor)|olympic|paralympic|champion|campaign\w*"
    r"|spoken\s+(?:\w+\s+){0,2}about|talks\s+in\s+(?:his|her)\s+(?:book|podcast|documentary)"
    r"|(?:his|her|their)\s+(?:memoir|autobiography|podcast|album|tour|fans|career))\b"
)
"""A public figure in the news ("the singer has spoken about her bipolar disorder"): a
person, but one the sender writes about from the news, not a pupil or colleague."""


_INSTRUCTION = re.compile(
    r"[\W\d]*(?:read|write|explain|describe|compare|evaluate|analyse|analyze|identify|research"
    r"|label|annotate|summarise|summarize|imagine|design|create)\s"
)
"""A sentence that starts with a task ("Read chapter 4...", "Explain how..."): a lesson."""


def topic_score(text: str) -> int:
    """How many distinct signs of general material the text has; a generic person counts
    as much as a strong individual cue."""
    lower = text.lower()
    signs = len({m.group() for m in _TOPIC_SIGNS.finditer(lower)})
    signs += 1 if _INSTRUCTION.match(lower) else 0
    generic = len({m.group() for m in _GENERIC_PERSON.finditer(lower)})
    generic = STRONG + min(1, generic - 1) if generic else 0
    public = STRONG + 1 if _PUBLIC_FIGURE.search(lower) else 0
    role = WEAK if _STAFF_ROLE.search(lower) or _ROLE_HOLDER.search(lower) else 0
    return signs + generic + public + role
