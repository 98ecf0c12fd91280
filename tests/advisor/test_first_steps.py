"""First steps from whichever guide says ``role: first-steps`` (issue 14), and guidance for
someone in danger even in a folder without one.

The fixture folder's first-steps guide is ``detained-rights``, not the shipped
``urgent-first-steps``: it is found by its role. A copy without the role has no first
steps at all; an urgent message there still gets the closest guidance (even below the
relevance floor), saying it may not fit, plus the urgent contacts, never a bare no_answer.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor.first_steps import (
    DANGERS,
    GENERAL,
    assign_dangers,
    compatible,
    first_steps_guide,
)
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime, build_runtime
from bot.channels.answers import answer_for
from bot.index.embedders import Embedder
from bot.index.ingest import ingest
from bot.text.languages import SERVED
from tests.conftest import FIXTURE_KNOWLEDGE, make_settings

# Held out: not in tests/eval/questions.yaml nor in prompts/triage.
HELD = "The police are holding me at the station right now and I cannot leave, help"


def runtime_for(tmp_path: Path, embedder: Embedder, knowledge: Path, **extra: object) -> Runtime:
    data = tmp_path / "data"
    ingest(knowledge, data, embedder, "e5", progress=False)
    return build_runtime(make_settings(knowledge, data, **extra))


@pytest.fixture
def fixture_runtime(tmp_path: Path, embedder: Embedder) -> Iterator[Runtime]:
    runtime = runtime_for(tmp_path, embedder, FIXTURE_KNOWLEDGE)
    yield runtime
    runtime.close()


@pytest.fixture
def no_steps_runtime(tmp_path: Path, embedder: Embedder) -> Iterator[Runtime]:
    """The fixture folder without any first-steps guide, and a floor no passage reaches."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    guide = knowledge / "guides" / "en" / "detained.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("role: first-steps\n", ""),
                     encoding="utf-8")
    runtime = runtime_for(tmp_path, embedder, knowledge, min_relevance=0.99)
    yield runtime
    runtime.close()


def ask(runtime: Runtime, text: str, channel: str = "whatsapp", **kw: str) -> Answer:
    return answer_for(runtime, Question(text=text, **kw), channel)


def test_the_first_steps_guide_is_found_by_its_role_in_any_language(fixture_runtime: Runtime):
    view = fixture_runtime.watcher.view
    guide = first_steps_guide(view, "en")
    assert guide is not None and guide.doc_id == "detained-rights"
    # French has its own first-steps guide in the fixture (with another id) ...
    french = first_steps_guide(view, "fr")
    assert french is not None and (french.doc_id, french.lang) == ("student-visa-extension",
                                                                   "fr")
    # ... Swahili has none: English is the fallback.
    swahili = first_steps_guide(view, "sw")
    assert swahili is not None and (swahili.doc_id, swahili.lang) == ("detained-rights", "en")


def test_an_urgent_message_gets_the_steps_of_a_guide_with_another_id(fixture_runtime: Runtime):
    answer = ask(fixture_runtime, HELD)
    assert answer.triage == "urgent" and answer.urgent
    assert answer.status == "answered" and answer.steps
    by_n = {c.n: c for c in answer.citations}
    assert all(by_n[n].doc_id == "detained-rights" for s in answer.steps for n in s.cites)
    assert answer.urgent_referrals >= 1
    assert answer.danger.startswith("If ")
    assert answer.answer.startswith(answer.danger)
    trace = answer.trace
    assert trace is not None and trace.first_steps


def test_without_a_first_steps_guide_an_urgent_message_gets_the_closest_guidance(
    no_steps_runtime: Runtime,
):
    view = no_steps_runtime.watcher.view
    assert first_steps_guide(view, "en") is None
    answer = ask(no_steps_runtime, HELD)
    assert answer.triage == "urgent" and answer.urgent
    assert answer.status == "answered", answer.reason  # never a bare no_answer
    assert answer.steps == [] and answer.sentences and answer.citations
    caveat = no_steps_runtime.safety.get("not_exact", "en")
    assert answer.caveat == caveat and caveat in answer.answer
    assert answer.answer.index(caveat) < answer.answer.index(answer.sentences[0].text)
    assert answer.urgent_referrals >= 1
    # The danger is still acknowledged, in general words: no section names it.
    assert answer.danger == no_steps_runtime.safety.get("you_wrote", "en").format(
        dangers=no_steps_runtime.safety.get("danger_unknown", "en"))


def test_a_routine_question_below_the_floor_is_still_no_answer(no_steps_runtime: Runtime):
    # The floor is lowered for people in danger only.
    answer = ask(no_steps_runtime, "How long does a student visa last in Russia?")
    assert answer.triage != "urgent"
    assert answer.status == "no_answer" and answer.caveat == ""


# The danger named ("If you are held by police ...:") is the one the message states: never
# two that contradict each other, never a section's neighbour's (user test c17, c23, c28, c29).

def test_each_danger_names_one_section_the_closest_pairs_first():
    closeness = {
        "detained": {"detained": 0.86, "signed": 0.83},
        "front": {"front": 0.84, "signing": 0.85},  # its text touches signing too
        "signing": {"signing": 0.90, "signed": 0.87},
        "signed": {"signed": 0.89, "signing": 0.88},
        "other": {"hurt": 0.70},  # close to no danger: named none
    }
    assert assign_dangers(closeness) == {
        "detained": "detained", "front": "front", "signing": "signing", "signed": "signed"}


def test_pushed_to_sign_now_and_already_signed_are_never_named_together():
    assert not compatible("signing", "signed") and not compatible("signed", "signing")
    assert not compatible("detained", "detained")
    assert compatible("detained", "signing") and compatible("front", "locked_in")


# The Swahili guide's "signing" section was once taken for "locked in" (its words sit
# closer to that danger's): a translation now takes the English sections' dangers, in order.
@pytest.mark.parametrize("lang", SERVED)
def test_every_section_of_the_shipped_guide_names_its_own_danger(starter_runtime: Runtime,
                                                                 lang: str):
    view = starter_runtime.watcher.view
    first_steps = starter_runtime.advisor.first_steps
    guide = first_steps_guide(view, lang)
    assert guide is not None
    named = first_steps.dangers(view, guide)
    sections: dict[str, set[str | None]] = {}
    for p in view.passages:
        if p.doc_id == guide.doc_id and p.lang == guide.lang:
            sections.setdefault(p.section, set()).add(named[p.id])
    assert all(len(d) == 1 for d in sections.values()), (lang, sections)
    dangers = [d for ds in sections.values() for d in ds]
    assert sorted(d for d in dangers if d) == sorted((*DANGERS, GENERAL)), (guide.lang,
                                                                             sections)


@pytest.mark.parametrize(("lang", "text", "unwanted"), [
    ("en", "police holding me at station in kazan. they say sign army contract or deport. "
           "what i do", "signed"),
    ("ru", "меня держат в полиции, говорят подпиши контракт или депортация", "signed"),
    ("en", "they are putting us on bus to front line right now what i do", "signing"),
    ("en", "i cant take this anymore. they beat us in the camp. i want to die", "signing"),
    ("fr", "La police me retient au commissariat et veut que je signe un contrat avec "
           "l'armée", "signed"),
    ("sw", "Polisi wamenishika, wanasema nisaini mkataba wa jeshi", "signed"),
])
def test_the_danger_named_is_one_the_message_states(
    starter_runtime: Runtime, lang: str, text: str, unwanted: str
):
    answer = starter_runtime.ask(Question(text=text, lang=lang))
    assert answer.urgent and answer.dangers, answer.dangers
    assert unwanted not in answer.dangers, (answer.dangers, answer.danger)
    assert not {"signing", "signed"} <= set(answer.dangers)
    assert starter_runtime.safety.get(f"danger_{unwanted}", lang) not in answer.danger
