"""``bot.channels.render``: every answer fits its channel and ends with the notice."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advisor.models import Answer, Citation, ReferralOut, Sentence
from bot.advisor.strings import load_strings
from bot.channels.escalation import with_alert
from bot.channels.render import PROFILES, profile, render_answer
from bot.channels.render.limits import (
    TWILIO_MAX_BODY,
    is_gsm7,
    sms_segments,
    sms_text,
    sms_units,
    utf16_units,
)
from bot.channels.render.parts import pack
from bot.config import PROMPTS_DIR
from bot.text.languages import SERVED
from bot.text.sentences import sentence_pieces

STRINGS = load_strings(PROMPTS_DIR / "strings")
CHANNELS = sorted(PROFILES)


def render(answer: Answer, channel: str) -> str:
    return render_answer(answer, profile(channel), STRINGS).text

words = st.text(min_size=1, max_size=300)
sentences = st.lists(words, min_size=0, max_size=12)
short = st.text(min_size=1, max_size=120)
maybe = st.none() | short


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    """Any answer the advisor could give, with arbitrary unicode in every text."""
    lang = draw(st.sampled_from(["en", "fr", "ar", "sw", "ne"]))
    texts = draw(sentences)
    steps = draw(st.lists(words, max_size=3))
    n_citations = draw(st.integers(min_value=1 if texts or steps else 0, max_value=6))
    citations = [
        Citation(n=i, doc_id=f"doc-{i}", title=draw(short), section=draw(short),
                 path=f"guides/{lang}/doc-{i}.md",
                 url=draw(st.none() | st.just(f"https://example.org/{i}")),
                 quote=draw(words), lang=lang)
        for i in range(1, n_citations + 1)
    ]
    referrals = [
        ReferralOut(id=f"r{i}", name=draw(short), kind="ngo", phone=draw(maybe),
                    whatsapp=draw(maybe), email=draw(maybe), web=draw(maybe), hours=draw(maybe),
                    notes=draw(maybe))
        for i in range(draw(st.integers(min_value=0, max_value=6)))
    ]
    cites = st.lists(st.integers(1, max(n_citations, 1)), min_size=1, max_size=3)
    return Answer(
        status="answered" if texts or steps else "no_answer",
        urgent=bool(steps),
        language=lang,
        citations=citations,
        referrals=referrals,
        urgent_referrals=draw(st.integers(0, len(referrals))),
        steps=[Sentence(text=t, cites=draw(cites)) for t in steps],
        sentences=[Sentence(text=t, cites=draw(cites)) for t in texts],
        notes=draw(st.lists(short, max_size=2)),
        intro=draw(st.sampled_from(["", STRINGS.get("no_answer", lang),
                                    STRINGS.get("urgent_preface", lang)])),
        notice=STRINGS.get("notice", lang),
    )


@pytest.mark.parametrize("channel", CHANNELS)
@settings(max_examples=150, deadline=None)
@given(answer=answers())
def test_body_fits_the_channel_and_ends_with_the_notice(channel: str, answer: Answer):
    text = render(answer, channel)
    assert utf16_units(text) <= PROFILES[channel].max_units
    assert text.endswith(answer.notice)


def test_limits_are_what_twilio_accepts():
    assert all(p.max_units <= 4000 for p in PROFILES.values())
    assert PROFILES["whatsapp"].max_units <= TWILIO_MAX_BODY
    assert PROFILES["sms"].max_units <= TWILIO_MAX_BODY
    assert profile(None) is PROFILES["web"] and profile("fax") is PROFILES["web"]


def long_answer(n_referrals: int = 6) -> Answer:
    return Answer(
        status="answered",
        language="en",
        citations=[Citation(n=1, doc_id="d", title="Title", section="Section",
                            path="guides/en/d.md", url="https://example.org/d", quote="q",
                            lang="en")],
        referrals=[ReferralOut(id=f"r{i}", name=f"Helper {i}", kind="ngo", phone=f"+7 900 000 0{i}")
                   for i in range(n_referrals)],
        sentences=[Sentence(text="A sentence of the guidance. " * 20, cites=[1])] * 3,
        notice=STRINGS.get("notice", "en"),
    )


def test_contacts_are_dropped_from_the_least_relevant_before_the_notice():
    text = render(long_answer(), "sms")
    assert utf16_units(text) <= PROFILES["sms"].max_units
    assert text.endswith(STRINGS.get("notice", "en"))
    assert "Helper 5" not in text


def test_a_short_answer_keeps_every_contact_and_source_link():
    answer = long_answer(2)
    answer.sentences = [Sentence(text="Ask for a lawyer.", cites=[1])]
    web = render(answer, "web")
    assert "Ask for a lawyer. [1]" in web
    assert "Helper 0 - Phone: +7 900 000 00" in web and "Helper 1" in web
    assert "https://example.org/d" in web
    sms = render(answer, "sms")
    assert "https://example.org/d" not in sms  # SMS carries no source links
    assert render(answer, "whatsapp").count("*") >= 4  # bold headings


def urgent_answer(step_len: int = 1, body_len: int = 1) -> Answer:
    """An urgent answer as the advisor builds it: steps, urgent contacts, then guidance."""
    step = "If someone took your passport or phone, write down who took it, when and where, "
    step *= step_len
    body = "If an employer, an agent or an official in Russia took your passport, act fast, "
    body *= body_len
    return Answer(
        status="answered",
        urgent=True,
        language="en",
        citations=[
            Citation(n=i, doc_id=f"d{i}", title=f"Guide {i}", section="S",
                     path=f"guides/en/d{i}.md", url=None, quote="q", lang="en")
            for i in (1, 2)
        ],
        referrals=[ReferralOut(id=f"r{i}", name=f"Hotline {i}", kind="hotline",
                               phone=f"8-800-333-00-1{i}") for i in range(3)],
        urgent_referrals=2,
        steps=[Sentence(text=f"{step}Step {i}.", cites=[1]) for i in range(1, 4)],
        sentences=[Sentence(text=f"{body}Point {i}.", cites=[2]) for i in range(1, 3)],
        intro=STRINGS.get("urgent_preface", "en"),
        notice=STRINGS.get("notice", "en"),
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_urgent_answer_fits_and_keeps_its_first_steps(channel: str):
    answer = urgent_answer()
    text = render(answer, channel)
    assert utf16_units(text) <= PROFILES[channel].max_units and text.endswith(answer.notice)
    assert answer.steps[0].text in text  # what to do now is never dropped
    assert "8-800-333-00-10" in text  # nor the first urgent contact


@pytest.mark.parametrize(
    ("step_len", "body_len"),
    [(2, 1), (1, 3)],
    ids=["long-steps-cut-a-contact", "long-guidance-cut-a-sentence"],
)
def test_sms_never_cuts_a_sentence_or_a_contact_in_half(step_len: int, body_len: int):
    answer = urgent_answer(step_len, body_len)
    text = render(answer, "sms")
    assert utf16_units(text) <= PROFILES["sms"].max_units
    for s in [*answer.steps, *answer.sentences]:
        if s.text[-8:] in text:  # shown at all ("Step 3."): shown whole, with its marker
            assert f"{s.text} [{s.cites[0]}]" in text, s.text
    assert answer.steps[0].text in text  # the first step and the first urgent contact stay
    assert "Hotline 0: 8-800-333-00-10" in text
    for r in answer.referrals:
        if r.name in text:  # a contact is shown with its whole number, or not at all
            assert f"{r.name}: {r.phone}" in text, r.name


# What to do until a caseworker reads the message points only to what follows it in the
# same message (user test c27, c04, c07); an urgent SMS starts with a step and a number
# (c05, c23); a page never ends on a bare list number (c26).

SAFETY = load_strings(PROMPTS_DIR / "safety")
WHEN = datetime(2026, 12, 13, 10, 0)  # no office hours are set: nobody reads it now


def flagged(answer: Answer, channel: str) -> list[str]:
    """The parts sent now for a flagged urgent answer, as the Twilio channel renders it."""
    answer = with_alert(answer, None, SAFETY, WHEN)
    return render_answer(answer, profile(channel), STRINGS,
                         more_hint="Reply MORE for the rest.").parts


def pointers(lang: str) -> dict[str, str]:
    return {k: SAFETY.get(f"until_then_{k}", lang) for k in ("both", "steps", "calls")}


@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
def test_the_alert_points_to_numbers_only_when_numbers_follow(channel: str):
    said = pointers("en")
    no_contacts = urgent_answer()
    no_contacts.referrals, no_contacts.urgent_referrals = [], 0
    first = flagged(no_contacts, channel)[0]
    assert SAFETY.get("alert_later", "en") in first
    assert said["both"] not in first and said["calls"] not in first
    no_steps = urgent_answer()
    no_steps.steps = []
    first = flagged(no_steps, channel)[0]
    assert said["both"] not in first and said["steps"] not in first


def test_the_alert_points_to_steps_and_numbers_when_both_follow_in_the_message():
    first = flagged(urgent_answer(), "whatsapp")[0]
    both = pointers("en")["both"]
    assert both in first
    after = first[first.index(both):]
    assert "1. " in after and "8-800-333-00-10" in after


@pytest.mark.parametrize("lang", SERVED)
def test_every_language_says_what_to_do_without_pointing_to_what_is_not_there(lang: str):
    said = pointers(lang)
    assert len(set(said.values())) == 3 and all(said.values())
    assert all(v != SAFETY.get(f"until_then_{k}", "en") for k, v in said.items()) or lang == "en"
    assert not any(v in SAFETY.get("alert_later", lang) for v in said.values())


def test_russian_alert_names_the_helpline_staff_not_any_officer():
    # "Сотрудник" alone reads as "a police officer" to someone held at a police station.
    for key in ("alert_staffed", "alert_later", "alert_later_hours"):
        text = SAFETY.get(key, "ru")
        assert "нашей службы" in text and not text.startswith("Сотрудник"), key


def russian_urgent() -> Answer:
    """The c05 answer: Russian, a danger, two long steps, a contact; much for one SMS."""
    steps = [
        "Если сотрудники говорят вам выбрать между контрактом с армией и депортацией, "
        "узнайте, что значит каждый вариант, прежде чем решать.",
        "Подписанный контракт в России законен, и по Указу № 647 контракты действуют до "
        "окончания мобилизации.",
    ]
    answer = urgent_answer()
    answer.language = "ru"
    answer.danger = "Если вас задержала полиция или миграционная служба:"
    answer.intro = STRINGS.get("urgent_preface", "ru")
    answer.steps = [Sentence(text=s, cites=[1]) for s in steps]
    answer.referrals = [ReferralOut(
        id="unhcr", name="UNHCR, the UN refugee agency in Russia (hotline on WhatsApp and "
        "Viber)", kind="hotline", phone="+7 (495) 660-09-01")]
    answer.urgent_referrals = 1
    answer.notice = STRINGS.get("notice", "ru")
    return answer


@pytest.mark.parametrize("make", [russian_urgent, urgent_answer], ids=["ru", "en"])
def test_an_urgent_sms_first_message_holds_the_first_step_and_a_number(make):
    answer = make()
    first = flagged(answer, "sms")[0]
    assert answer.steps[0].text in first
    assert answer.referrals[0].phone in first
    assert utf16_units(first) <= TWILIO_MAX_BODY
    assert first.index(answer.steps[0].text) < first.index(answer.referrals[0].phone)


def test_an_sms_page_never_ends_on_a_bare_list_number():
    text = ("Если вы в опасности прямо сейчас, сначала сделайте это:\n\n"
            "1. Если сотрудники говорят вам выбрать между контрактом с армией и депортацией, "
            "узнайте, что значит каждый вариант, прежде чем решать. [1]\n"
            "2. Подписанный контракт в России законен, и по Указу № 647 контракты действуют "
            "до окончания мобилизации, а уволиться можно только по возрасту. [1]\n"
            "3. Самовольно уйти из своей части — это преступление. [1]")
    for limit in range(60, 400, 7):
        for part in pack(text, limit, sms_units):
            assert not re.search(r"(^|\n)\s*\d+\.\s*$", part), (limit, part)
            first = part.lstrip().split("\n")[0]
            assert not first.startswith("Подписанный"), (limit, part)  # step 2 w/o its "2."


def test_a_list_item_is_one_sentence_piece_with_its_number():
    assert sentence_pieces("2. Подписанный контракт законен. Уйти нельзя.") == [
        "2. Подписанный контракт законен. ", "Уйти нельзя."]


def test_sms_segments_are_counted_as_twilio_counts_them():
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2 and sms_segments("a" * 307) == 3  # 153 a part
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2  # extension: two
    assert sms_segments("ж" * 70) == 1 and sms_segments("ж" * 71) == 2
    assert sms_segments("ж" * 134) == 2 and sms_segments("ж" * 135) == 3  # 67 a part


@pytest.mark.parametrize(("text", "sent"), [
    ("Dígale a la embajada de su país en Moscú que firmó. ¿Sí? ¡Ya! El niño",
     "Digale a la embajada de su pais en Moscu que firmo. ¿Si? ¡Ya! El niño"),
    ("Não assine nada. Você está na Rússia? Peça ajuda. Ç",
     "Nao assine nada. Voce esta na Russia? Peca ajuda. Ç"),
    ("Où êtes-vous ? Vérifiez-la, le cœur de l'île. Tél. : +7 (495) 660-09-01",
     "Où etes-vous ? Vérifiez-la, le coeur de l'ile. Tél. : +7 (495) 660-09-01"),
])
def test_an_sms_in_latin_letters_folds_only_the_letters_gsm7_lacks(text: str, sent: str):
    assert is_gsm7(sms_text(text)) and sms_text(text) == sent
    assert sms_segments(sms_text(text * 3)) < sms_segments(text * 3)
    assert sms_text(text, fold=False) == text  # BOT_SMS_FOLD_ACCENTS=false


@pytest.mark.parametrize("text", [
    "Позвоните в УВКБ ООН: +7 (495) 660-09-01. Ещё: https://help.unhcr.org/russia/",
    "मदद के लिए दूतावास को फ़ोन करें।",
    "Écrivez à https://exemple.org/référence — ou à l'ambassade",  # an address stays
])
def test_an_sms_in_another_script_or_with_an_accented_address_keeps_every_letter(text: str):
    assert sms_text(text) == text.replace("—", "-")


def test_a_spanish_sms_answer_is_cut_into_gsm7_parts():
    answer = long_answer(2)
    answer.language = "es"
    answer.sentences = [Sentence(text="Dígale a la embajada de su país en Moscú que firmó "
                                 "un contrato, cómo pasó y que quiere irse.", cites=[1])] * 6
    rendered = render_answer(answer, profile("sms"), STRINGS, more_hint="Responda MÁS.")
    assert all(is_gsm7(p) for p in rendered.parts), rendered.parts
    assert rendered.parts[0].endswith("Responda MAS.")
    assert sms_segments(rendered.parts[0]) <= 4 and len(rendered.parts[0]) > 4 * 67
