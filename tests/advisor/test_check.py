"""``bot.advisor.check``: the final gate stops whatever a composer invents.

The misbehaving composers are real ``Composer`` implementations plugged into a
real ``Advisor`` over the shipped knowledge.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.advisor.advisor import Advisor
from bot.advisor.check import check_answer, facts_in
from bot.advisor.composer import Budget, ComposedSentence, ExtractiveComposer
from bot.advisor.models import Answer, Citation, Question, Sentence
from bot.advisor.runtime import Runtime
from bot.channels.render import profile
from bot.retrieval.retriever import Hit
from bot.text.sentences import split_sentences

QUESTION = Question(
    text="My employer took my passport and will not give it back. What can I do?", lang="en"
)
INVENTED_PHONE = "+7 999 123 45 67"


def first_sentence(hit: Hit) -> str:
    return next(s for s in split_sentences(hit.passage.text) if len(s) >= 12)


class InventingComposer:
    """Writes a plausible sentence that no passage contains."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        return [ComposedSentence("Your employer must pay you a fine of 500 dollars.", (0,))]


class PhoneComposer:
    """A real sentence, then an invented phone number."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        real = first_sentence(hits[0])
        return [
            ComposedSentence(real, (0,)),
            ComposedSentence(f"Call our lawyer on {INVENTED_PHONE}.", (0,)),
        ]


class PhoneInsideComposer:
    """A real sentence with an invented phone number glued to it."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        return [ComposedSentence(f"{first_sentence(hits[0])} Call {INVENTED_PHONE}.", (0,))]


class UnsourcedComposer:
    """A real sentence that cites nothing."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        return [ComposedSentence(first_sentence(hits[0]), ())]


class HonestComposer:
    """The control: one real sentence, citing the passage it came from."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        return [ComposedSentence(first_sentence(hits[0]), (0,))]


class OutOfRangeComposer:
    """Cites a hit that does not exist."""

    def compose(self, question: str, hits: Sequence[Hit], budget: Budget):
        return [ComposedSentence(first_sentence(hits[0]), (len(hits) + 5,))]


def advisor_with(runtime: Runtime, composer) -> Advisor:
    return Advisor(
        view=lambda: runtime.watcher.view,
        embedder=runtime.embedder,
        composer=composer,
        strings=runtime.strings,
        min_relevance=runtime.advisor.min_relevance,
    )


BUDGET = profile("web").budget


@pytest.mark.parametrize(
    "composer",
    [InventingComposer(), PhoneComposer(), PhoneInsideComposer(), UnsourcedComposer()],
    ids=lambda c: type(c).__name__,
)
def test_misbehaving_composer_is_stopped(starter_runtime: Runtime, composer, caplog):
    answer = advisor_with(starter_runtime, composer).answer(QUESTION, BUDGET)
    assert answer.status == "no_answer"
    assert answer.reason == "check_failed"
    assert answer.sentences == [] and answer.citations == []
    assert answer.referrals  # the safe fallback still gives the general contacts
    assert answer.intro == starter_runtime.strings.get("no_answer", "en")
    # The log names the rule, never the text.
    assert "final check stopped an answer" in caplog.text
    assert INVENTED_PHONE not in caplog.text and "500 dollars" not in caplog.text


@pytest.mark.parametrize("composer", [HonestComposer(), ExtractiveComposer()],
                         ids=lambda c: type(c).__name__)
def test_honest_composer_passes_the_same_gate(starter_runtime: Runtime, composer):
    answer = advisor_with(starter_runtime, composer).answer(QUESTION, BUDGET)
    assert answer.status == "answered", answer.reason
    assert check_answer(answer, starter_runtime.watcher.view.referrals) == []


def test_composer_citing_a_missing_hit_is_stopped(starter_runtime: Runtime):
    answer = advisor_with(starter_runtime, OutOfRangeComposer()).answer(QUESTION, BUDGET)
    assert answer.status == "no_answer" and answer.reason == "check_failed"


# -- check_answer rule by rule ------------------------------------------------------------


@pytest.fixture
def answered(starter_runtime: Runtime) -> Answer:
    answer = starter_runtime.ask(QUESTION)
    assert answer.status == "answered" and answer.referrals
    return answer


def test_a_good_answer_passes(starter_runtime: Runtime, answered: Answer):
    assert check_answer(answered, starter_runtime.watcher.view.referrals) == []


@pytest.mark.parametrize("field", ["phone", "whatsapp", "email", "web", "name", "hours"])
def test_a_referral_that_differs_from_the_registry_is_caught(
    starter_runtime: Runtime, answered: Answer, field: str
):
    registry = starter_runtime.watcher.view.referrals
    first = answered.referrals[0]
    changed = "+7 999 123 45 67" if field in ("phone", "whatsapp") else "changed"
    answered.referrals[0] = first.model_copy(update={field: changed})
    problems = check_answer(answered, registry)
    assert problems == [f"referral {first.id!r} field {field} differs from the registry"]


def test_a_referral_not_in_the_registry_is_caught(starter_runtime: Runtime, answered: Answer):
    answered.referrals.append(answered.referrals[0].model_copy(update={"id": "made-up"}))
    assert check_answer(answered, starter_runtime.watcher.view.referrals) == [
        "referral 'made-up' is not in the registry"
    ]


def citation(n: int, quote: str) -> Citation:
    return Citation(n=n, doc_id="d", title="t", section="s", path="guides/en/d.md", url=None,
                    quote=quote, lang="en")


def test_facts_must_be_in_a_cited_quote_or_the_registry(starter_runtime: Runtime):
    registry = starter_runtime.watcher.view.referrals
    quote = f"Call the hotline on {INVENTED_PHONE} or write to help@example.net today."
    cited = Answer(status="answered", language="en", citations=[citation(1, quote)],
                   sentences=[Sentence(text=quote, cites=[1])])
    # A phone number only a guide prints was never vetted as a contact (issue 13): only
    # the registry's numbers may be sent.
    assert check_answer(cited, registry) == [
        "sentence 1 has a phone number that is not in the registry"]
    assert set(facts_in(quote)) == {INVENTED_PHONE, "help@example.net"}
    e_mail = quote.replace(f"on {INVENTED_PHONE} ", "")
    assert check_answer(Answer(status="answered", language="en",
                               citations=[citation(1, e_mail)],
                               sentences=[Sentence(text=e_mail, cites=[1])]), registry) == []

    # The same sentence cited against a passage without the number breaks two rules.
    other = Answer(status="answered", language="en",
                   citations=[citation(1, "Call the hotline today.")],
                   sentences=[Sentence(text=quote, cites=[1])])
    problems = check_answer(other, registry)
    assert "sentence 1 is not found in the passages it cites" in problems
    assert "sentence 1 has a contact or article found in no source" in problems


def test_sentences_must_cite_known_sources(starter_runtime: Runtime):
    registry = starter_runtime.watcher.view.referrals
    answer = Answer(status="answered", language="en", citations=[citation(1, "A. B.")],
                    sentences=[Sentence(text="A.", cites=[]), Sentence(text="B.", cites=[2])])
    assert check_answer(answer, registry) == [
        "sentence 1 cites nothing",
        "sentence 2 cites unknown source(s) [2]",
    ]


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Call 8-800-333-00-16 now.", "8-800-333-00-16"),
        ("Call +7 (495) 123-45-67.", "+7 (495) 123-45-67"),
        ("See https://example.org/help, then", "https://example.org/help"),
        ("Write to help@example.org.", "help@example.org"),
        ("It is in Article 24.2 of the Code.", "Article 24.2"),
        ("Under Art. 36 of the convention", "Art. 36"),
    ],
)
def test_facts_in_finds_contacts_and_articles(text: str, fact: str):
    assert fact in facts_in(text)


def test_facts_in_ignores_short_numbers_and_years():
    assert facts_in("In 2022, within 3 hours, 12 people.") == []
