"""``bot.advisor.advisor`` on the shipped knowledge: cited, verbatim, nothing invented."""

from __future__ import annotations

import re

import pytest

from bot.advisor.audience import serves
from bot.advisor.check import facts_in
from bot.advisor.models import Answer, Question
from bot.advisor.places import FAMILY_TRACING, HOME, stale
from bot.advisor.referrals import main_guide
from bot.advisor.runtime import Runtime
from bot.channels.answers import answer_for
from bot.channels.render import PROFILES, profile
from bot.channels.render.answer import without_command_hints
from bot.channels.render.limits import utf16_units
from bot.evaluation.questions import load_questions
from bot.knowledge.chunker import split_passages
from bot.knowledge.loader import load_knowledge
from tests.conftest import ROOT, STARTER_KNOWLEDGE

QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
CHANNELS = sorted(PROFILES)

ANSWERED = [
    ("en", "My employer took my passport and will not give it back. What can I do?"),
    ("en", "The police detained me. Do I have a right to an interpreter?"),
    ("fr", "Mon employeur a pris mon passeport, que faire ?"),
    ("ar", "أخذ صاحب العمل جواز سفري ولا يريد إعادته، ماذا أفعل؟"),
    ("sw", "Polisi wamenikamata, nina haki gani?"),
    ("ne", "एजेन्टले रुसमा राम्रो तलबको जागिरको प्रस्ताव दियो, के यो साँचो हो?"),
]

# Held-out questions the guidance does not cover (not in tests/eval/questions.yaml).
OUT_OF_SCOPE = [
    ("en", "What will the weather be like in Moscow tomorrow?"),
    ("en", "How do I bake a chocolate cake?"),
    ("en", "Can you do my maths homework: solve 2x + 3 = 7"),
]
# Held-out out-of-scope questions in other languages: refused by resemblance to the
# off-topic examples (prompts/refusals.yaml), backed by topic words (refusals_cues.yaml).
OUT_OF_SCOPE_MISSED = [
    ("ar", "كيف سيكون الطقس غدا في موسكو؟"),
    ("fr", "Comment faire une tarte aux pommes ?"),
    ("sw", "Nipe mapishi ya keki ya chokoleti"),
    ("ar", "كيف أحضر كعكة الشوكولاتة؟"),
    ("ar", "ساعدني في حل واجب الرياضيات"),
    ("sw", "Nisaidie kazi yangu ya nyumbani ya hesabu"),
    ("fr", "Quel temps fera-t-il demain à Moscou ?"),
    ("fr", "Peux-tu faire mes devoirs de mathématiques ?"),
    ("sw", "Hali ya hewa itakuwaje kesho Moscow?"),
]
# Real questions that happen to hold one of those topic words: never refused.
ON_TOPIC_WITH_AN_OFF_TOPIC_WORD = [
    ("en", "Is it a joke? My employer keeps my passport and says I must sign an army contract."),
    ("fr", "Il fera froid et mon employeur garde mon passeport, que faire ?"),
    ("ru", "Работодатель забрал паспорт, говорит подпиши контракт, это что, анекдот?"),
]
NO_ANSWER_TEXT = {"no_relevant_guidance": "no_answer", "refused_request": "refused"}


@pytest.fixture(scope="module")
def file_passages() -> dict[str, list[str]]:
    """The passage texts of every published document file, read from disk now."""
    knowledge = load_knowledge(STARTER_KNOWLEDGE)
    return {d.path: [p.text for p in split_passages(d)] for d in knowledge.published}


@pytest.fixture(scope="module")
def registry_text() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((STARTER_KNOWLEDGE / "referrals").glob("*.yaml"))
    )


def ask(runtime: Runtime, text: str, lang: str | None = None, channel: str | None = None,
        country: str | None = None) -> Answer:
    return answer_for(runtime, Question(text=text, lang=lang, country=country), channel)


def cited(text: str, cites: list[int]) -> str:
    return f"{text} " + "".join(f"[{n}]" for n in cites)


def eval_sample(n: int = 30) -> list[tuple[str, str | None, str | None]]:
    """About ``n`` answerable questions from the evaluation set, spread over its languages."""
    answerable = [q for q in load_questions(QUESTIONS) if q.expect_status == "answered"]
    step = max(1, len(answerable) // n)
    return [(q.question, q.lang, q.country) for q in answerable[::step]][:n]


# -- answered questions -------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "question"), ANSWERED)
def test_answer_quotes_are_verbatim_passages_of_the_cited_file(
    starter_runtime: Runtime, file_passages, lang, question
):
    answer = ask(starter_runtime, question)
    assert answer.status == "answered" and answer.reason is None
    assert answer.language == lang
    assert answer.citations and answer.sentences
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert c.path in file_passages, c.path
        assert c.quote in file_passages[c.path], f"[{c.n}] is not a passage of {c.path}"
        assert c.path.startswith(f"guides/{c.lang}/")
        doc = starter_runtime.watcher.view.documents[(c.doc_id, c.lang)]
        assert (c.title, c.url, c.path) == (doc.title, doc.url, doc.path)


@pytest.mark.parametrize(
    ("lang", "question", "channel"),
    [
        pytest.param(lang, q, ch)
        for lang, q in ANSWERED
        for ch in CHANNELS
    ],
)
def test_every_sentence_carries_markers_of_existing_citations(
    starter_runtime: Runtime, lang, question, channel
):
    answer = ask(starter_runtime, question, channel=channel)
    assert answer.status == "answered"
    numbers = {c.n for c in answer.citations}
    quotes = {c.n: c.quote for c in answer.citations}
    said = [*answer.steps, *answer.sentences]
    assert answer.sentences
    for s in said:
        assert s.cites and set(s.cites) <= numbers
        assert any(s.text in quotes[n] for n in s.cites)  # copied from a passage it cites
        assert cited(s.text, s.cites) in answer.answer  # shown with its markers
    # Read from the text: the guidance paragraph is the sentences, each closed by markers.
    first = answer.sentences[0].text
    body = next(b for b in answer.answer.split("\n\n") if b.startswith(first))
    pieces = re.split(r"((?:\[\d+\])+)", body)
    texts, markers, tail = pieces[0::2][:-1], pieces[1::2], pieces[-1]
    assert tail == "", f"the guidance ends without a citation marker: {body[-80:]!r}"
    assert [t.strip() for t in texts] == [s.text for s in answer.sentences]
    for group in markers:
        assert {int(n) for n in re.findall(r"\d+", group)} <= numbers
    # Nothing cited goes unused.
    assert set().union(*(s.cites for s in said)) == numbers


def test_contacts_urls_and_articles_come_from_the_registry_or_a_cited_document(
    starter_runtime: Runtime, registry_text: str
):
    sample = eval_sample()
    assert len(sample) >= 25
    checked = 0
    for question, lang, country in sample:
        for channel in CHANNELS:
            answer = ask(starter_runtime, question, lang=lang, country=country, channel=channel)
            cited_files = "\n".join(
                (STARTER_KNOWLEDGE / c.path).read_text(encoding="utf-8")
                for c in answer.citations
            )
            allowed = "\n".join([registry_text, cited_files, *(c.quote for c in answer.citations)])
            for fact in facts_in(answer.answer):
                checked += 1
                assert fact in allowed, f"{fact!r} in the answer to {question!r} has no source"
    assert checked > 0  # the sample does show contacts


# -- no answer ----------------------------------------------------------------------------


def assert_general_no_answer(runtime: Runtime, answer: Answer, lang: str, channel: str) -> None:
    strings = runtime.strings
    assert answer.status == "no_answer"
    assert answer.reason in NO_ANSWER_TEXT, answer.reason
    assert answer.citations == [] and answer.sentences == [] and answer.steps == []
    assert answer.language == lang
    view = runtime.watcher.view
    urgent = [r.id for r in view.referrals.values() if r.urgent]
    shown = [r.id for r in answer.referrals]
    assert shown and shown == urgent[: profile(channel).budget.referrals]
    text = strings.get(NO_ANSWER_TEXT[answer.reason], lang)
    assert answer.intro == text
    if profile(channel).commands:
        assert answer.answer.startswith(text)
    else:  # the web: no "Send CONTACTS or AGENT" to a caseworker
        shown = without_command_hints(text)
        assert shown and shown != text and answer.answer.startswith(shown)
        assert "CONTACTS" not in answer.answer and "AGENT" not in answer.answer
    if profile(channel).other_contacts:  # the page shows them as cards instead
        assert answer.referrals[0].name in answer.answer


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("lang", "question"), OUT_OF_SCOPE)
def test_out_of_scope_gets_no_answer_with_general_contacts(
    starter_runtime: Runtime, lang, question, channel
):
    assert_general_no_answer(starter_runtime, ask(starter_runtime, question, channel=channel),
                             lang, channel)


@pytest.mark.parametrize(("lang", "question"), OUT_OF_SCOPE_MISSED)
def test_out_of_scope_in_other_languages_gets_no_answer(starter_runtime: Runtime, lang, question):
    assert_general_no_answer(starter_runtime, ask(starter_runtime, question), lang, "web")


@pytest.mark.parametrize(("lang", "question"), ON_TOPIC_WITH_AN_OFF_TOPIC_WORD)
def test_an_off_topic_word_alone_does_not_refuse(starter_runtime: Runtime, lang, question):
    answer = ask(starter_runtime, question)
    assert answer.reason != "refused_request", answer.answer[:200]
    assert answer.status == "answered" and answer.citations


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_question_gets_no_answer(starter_runtime: Runtime, text: str):
    answer = ask(starter_runtime, text)
    assert answer.status == "no_answer"
    assert answer.reason == "empty_question"
    assert answer.citations == [] and not answer.urgent
    assert answer.referrals  # the general contacts, even then
    assert answer.answer.startswith(starter_runtime.strings.get("empty_question", "en"))


# -- the notice and the referrals ---------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("lang", "question"), [ANSWERED[0], ANSWERED[2], ANSWERED[3], OUT_OF_SCOPE[0], ("en", "")]
)
def test_answer_ends_with_the_not_legal_advice_notice(
    starter_runtime: Runtime, lang, question, channel
):
    answer = ask(starter_runtime, question, channel=channel)
    notice = starter_runtime.strings.get("notice", lang)
    assert notice and answer.notice == notice
    assert answer.answer.endswith(notice)
    assert utf16_units(answer.answer) <= profile(channel).max_units


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("question", "lang", "country"),
    [(q, lang, None) for lang, q in ANSWERED] + eval_sample(12),
)
def test_referrals_are_deduplicated_in_the_order_of_the_cited_documents(
    starter_runtime: Runtime, question, lang, country, channel
):
    answer = ask(starter_runtime, question, lang=lang, country=country, channel=channel)
    if answer.status != "answered":
        pytest.skip("not answered: covered by the evaluation tests")
    view = starter_runtime.watcher.view
    shown = [r.id for r in answer.referrals]
    assert len(shown) == len(set(shown))
    # Urgent answers put the urgent contacts first; then the cited documents' lists, in order.
    first = shown[: answer.urgent_referrals]
    assert answer.urgent or not first
    assert all(view.referrals[i].urgent for i in first)
    listed = list(first)
    cited_for: set[str] = set()
    for c in answer.citations:
        doc = view.documents[(c.doc_id, c.lang)]
        listed += doc.referrals
        cited_for.update(n for n in doc.nationalities if n != "ANY")

    def for_anyone_here(i: str) -> bool:  # the nationality is not known in these questions
        nationalities = view.referrals[i].nationalities or ("ANY",)
        return "ANY" in nationalities or bool(cited_for & set(nationalities))

    # A contact dangerous to hold comes only with the guide the answer is about.
    main = main_guide(answer.citations)
    own_topic = set(view.documents[main].referrals) if main else set()
    expected = [i for i in dict.fromkeys(listed) if i in view.referrals and for_anyone_here(i)
                and (not view.referrals[i].risky or i in own_topic)]
    # A line that may no longer work (old, never tested) gives way when another can be
    # called (bot.advisor.places.stale).
    if any(not stale(view.referrals[i]) and (view.referrals[i].phone
                                             or view.referrals[i].whatsapp) for i in expected):
        expected = [i for i in expected if not stale(view.referrals[i])]
    if country in (None, HOME):
        assert shown == expected[: profile(channel).budget.referrals]
    else:  # outside Russia (bot.advisor.places.by_place): a family at home
        assert set(shown) <= {*expected, FAMILY_TRACING}, shown
        assert FAMILY_TRACING in shown or len(shown) == profile(channel).budget.referrals
        local = [serves(view.referrals[i].countries, country) for i in shown]
        assert local == sorted(local, reverse=True), shown  # the lines in Russia last
    for r in answer.referrals:  # shown as the registry has them, named in the answer's language
        entry = view.referrals[r.id]
        lang = answer.language
        assert (r.name, r.warning, r.phone, r.whatsapp, r.email, r.web, r.hours) == (
            entry.name_in(lang), entry.warning_in(lang), entry.phone, entry.whatsapp,
            entry.email, entry.web, entry.hours
        )
        assert r.name_en == (entry.name if entry.name_in(lang) != entry.name else None)


def test_referral_dedup_is_exercised(starter_runtime: Runtime):
    """At least one sample answer cites documents whose referral lists overlap."""
    view = starter_runtime.watcher.view
    overlapping = 0
    for question, lang, country in eval_sample(30):
        answer = ask(starter_runtime, question, lang=lang, country=country)
        lists = [view.documents[(c.doc_id, c.lang)].referrals for c in answer.citations]
        flat = [i for lst in lists for i in lst]
        overlapping += len(flat) != len(set(flat))
    assert overlapping > 0
