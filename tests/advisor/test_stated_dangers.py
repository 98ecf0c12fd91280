"""A first-steps section that speaks to a condition (thinking of self-harm, hurt, already
signed, at the front, locked in, detained, pushed to sign now) is given only when the
message states that condition in words; a message that states none gets the section for
everyone, named as no specific danger (user test 2: d02, d06, d10, d11, d12, d17, d20,
d24, d29, d30, d07).

The messages are the testers' own, in the languages they were written in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advisor.cues import Cues
from bot.advisor.first_steps import DANGERS, GENERAL, first_steps_guide
from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime
from bot.advisor.stated import StatedDangers, read_stated
from tests.conftest import ROOT


def ask(runtime: Runtime, text: str, lang: str) -> Answer:
    return runtime.ask(Question(text=text, lang=lang))


def steps_of(answer: Answer) -> list[str | None]:
    assert answer.trace is not None
    return [s.danger for s in answer.trace.first_steps]


def section_texts(runtime: Runtime, lang: str, danger: str) -> list[str]:
    """The passages of the shipped guide's section for ``danger`` in ``lang``."""
    view = runtime.watcher.view
    guide = first_steps_guide(view, lang)
    assert guide is not None
    named = runtime.advisor.first_steps.dangers(view, guide)
    return [p.text for p in view.passages if named.get(p.id) == danger]


def first_sentence(text: str) -> str:
    return text.split(". ")[0].split("। ")[0][:60]


# Urgent messages that state no specific danger: the steps for everyone, "If you are in
# danger now:", never the self-harm, wounded or signed steps.
NO_DANGER = [
    ("en", "tomorrow they have called all indian boys to assembly hall and army people will "
           "come for talk, what should I do now sir"),
    ("ne", "के गर्ने अब, मलाई डर लाग्यो, अहिले नै मद्दत चाहियो"),
    ("pt", "socorro, preciso de ajuda agora, o que eu faço agora?"),
]


@pytest.mark.parametrize(("lang", "text"), NO_DANGER)
def test_an_urgent_message_that_states_no_danger_gets_the_steps_for_everyone(
    starter_runtime: Runtime, lang: str, text: str
):
    answer = ask(starter_runtime, text, lang)
    if not answer.urgent:
        pytest.skip("the triage did not judge it urgent: no first steps are given")
    assert steps_of(answer) == [GENERAL], steps_of(answer)
    assert answer.dangers == []
    safety = starter_runtime.safety
    assert answer.danger == safety.get("you_wrote", lang).format(
        dangers=safety.get("danger_unknown", lang))
    for danger in ("self_harm", "hurt", "signed"):
        assert safety.get(f"danger_{danger}", lang) not in answer.answer
        for passage in section_texts(starter_runtime, lang, danger):
            assert first_sentence(passage) not in answer.answer, (danger, answer.answer)


# Urgent messages that state one danger, or two: those sections, and no other.
STATED = [
    ("en", "im in police station moscow now. they will take my phone. quick what i say",
     {"detained"}),
    ("ne", "म फ्रन्टमा छु, फोन कमाण्डरले हेर्छ", {"front"}),
    ("ne", "हामीलाई बसमा राखेर फ्रन्टतिर लैजाँदैछन् के गर्ने अब", {"front"}),
    ("es", "me mandan a zona de combate la semana q viene, firme hace un mes", {"front",
                                                                              "signed"}),
    ("sw", "nimekamatwa na polisi moscow wanasema nisaini mkataba wa jeshi au nifukuzwe",
     {"detained", "signing"}),
    ("es", "estoy detenido en la policia en moscu me dicen firma contrato militar o te "
           "deportamos", {"detained", "signing"}),
    ("en", "police carry me go station for kazan now now. dem say make i sign army paper or "
           "dem go deport me", {"detained", "signing"}),
    ("am", "ሩሲያ ውስጥ ነኝ። አሰሪዬ ፓስፖርቴን ወስዶ ወታደር ሁን ይለኛል አሁን", {"locked_in"}),
    ("pt", "estou ferido no campo perto de lugansk nao tem medico", {"hurt", "front"}),
]


@pytest.mark.parametrize(("lang", "text", "stated"), STATED)
def test_an_urgent_message_gets_only_the_sections_of_the_dangers_it_states(
    starter_runtime: Runtime, lang: str, text: str, stated: set[str]
):
    answer = ask(starter_runtime, text, lang)
    if not answer.urgent:
        pytest.skip("the triage did not judge it urgent: no first steps are given")
    named = set(steps_of(answer))
    assert named and named <= stated, (named, stated)
    assert "self_harm" not in named
    assert not {"signing", "signed"} <= named


@pytest.mark.parametrize(("lang", "text"), [
    ("sw", "nimekamatwa na polisi moscow wanasema nisaini mkataba wa jeshi au nifukuzwe"),
    ("es", "estoy detenido en la policia en moscu me dicen firma contrato militar o te "
           "deportamos"),
    ("en", "police carry me go station for kazan now now. dem say make i sign army paper or "
           "dem go deport me"),
])
def test_pressure_to_sign_puts_do_not_sign_first(starter_runtime: Runtime, lang: str,
                                                 text: str):
    answer = ask(starter_runtime, text, lang)
    assert answer.urgent
    assert steps_of(answer)[0] == "signing", steps_of(answer)
    signing = section_texts(starter_runtime, lang, "signing")
    assert answer.steps and any(first_sentence(answer.steps[0].text) in p for p in signing)


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", "если меня задержат что делать? пока все нормально просто спрашиваю заранее"),
    ("pt", "como volto pra casa? sou de mocambique"),
    ("hi", "मेरी तनख्वाह 3 महीने से नहीं मिली, ठेकेदार बोलता है आर्मी में जाओ तो सारा पैसा "
           "मिलेगा क्या ये कानूनी है?"),
])
def test_an_answer_never_quotes_the_steps_of_a_danger_not_stated(
    starter_runtime: Runtime, lang: str, text: str
):
    answer = ask(starter_runtime, text, lang)
    for danger in ("self_harm", "hurt", "signed"):
        for passage in section_texts(starter_runtime, lang, danger):
            assert first_sentence(passage) not in answer.answer, (danger, answer.answer)


def test_self_harm_steps_need_words_of_self_harm(starter_runtime: Runtime):
    answer = ask(starter_runtime, "i cant take this anymore. they beat us in the camp. "
                                  "i want to die", "en")
    assert answer.urgent and steps_of(answer)[0] == "self_harm"


# The cue lists themselves.

def test_signed_and_pushed_to_sign_exclude_each_other():
    stated = read_stated(ROOT / "prompts" / "danger_cues.yaml", DANGERS)
    assert stated.of("they made me sign a paper last month, now they say army") == {"signed"}
    assert stated.of("they say sign now or deport") == {"signing"}
    assert stated.of("заставили подписать бумагу месяц назад") == {"signed"}
    assert stated.of("quieren que firme un contrato") == {"signing"}
    assert stated.of("firmé hace un mes") == {"signed"}
    assert stated.of("j'ai signé un contrat") == {"signed"}
    assert stated.of("ils veulent que je signe") == {"signing"}
    assert stated.of("what now") == frozenset()


def test_a_vague_follow_up_states_no_danger_in_any_language():
    stated = read_stated(ROOT / "prompts" / "danger_cues.yaml", DANGERS)
    for text in ("what should I do now sir", "के गर्ने अब", "como volto pra casa?",
                 "nifanye nini sasa", "что мне делать сейчас", "que hago ahora", "ምን ላድርግ",
                 "wetin i go do now", "थप", "क्या ये कानूनी है?"):
        assert stated.of(text) == frozenset(), text


def test_a_cue_file_with_an_unknown_danger_is_refused_naming_it(tmp_path: Path):
    path = tmp_path / "danger_cues.yaml"
    path.write_text("sad:\n  en: [\"sad\"]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="`sad` is not a danger"):
        read_stated(path, DANGERS)
    path.write_text("hurt:\n  en: \"hurt\"\n", encoding="utf-8")
    with pytest.raises(ValueError, match="hurt.en"):
        read_stated(path, DANGERS)
    assert StatedDangers({"hurt": Cues({"en": ["hurt"]})}).of("i am hurt") == {"hurt"}
