"""Contacts in the reader's language: a referral's name and warning are those of the answer's
language where the registry translates them, on SMS, WhatsApp, CONTACTS and the web JSON;
English where it does not. Contacts themselves are always the registry's, verbatim.

The webhook tests serve the app with uvicorn and the session's real runtime over the shipped
knowledge folder, sign requests with Twilio's RequestValidator, and keep the store in
SQLite under tmp_path (as test_twilio_wording.py does). A user test found the harm: a
Russian urgent SMS whose contact names and warning ("a Far East line, not Moscow") were
English, which a frightened reader of Russian cannot read.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.advisor.check import check_answer
from bot.advisor.models import Answer
from bot.advisor.referrals import referral_out
from bot.advisor.runtime import Runtime
from bot.advisor.strings import load_strings
from bot.channels.contacts import ContactBook
from bot.channels.render import Reply, profile, render_reply
from bot.channels.render.limits import TWILIO_MAX_BODY, utf16_units
from bot.knowledge.models import Problem, Referral
from bot.knowledge.registry import load_registry
from tests.app.harness import AppServer, serve_on_fake
from tests.channels.twilio_fake import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
STRINGS = load_strings(ROOT / "prompts" / "strings")


def registry(root: Path = KNOWLEDGE) -> dict[str, Referral]:
    problems: list[Problem] = []
    found = load_registry(root, date.today(), problems).referrals
    assert not [p for p in problems if p.severity == "error"], problems
    return found


REGISTRY = registry()


def shown_in(text: str) -> list[Referral]:
    """The registry entries whose first contact a text carries."""
    return [r for r in REGISTRY.values() if r.contacts() and r.contacts()[0] in text]


def assert_in_language(text: str, lang: str) -> list[Referral]:
    """Every contact in ``text`` has its name and warning in ``lang``, no English one."""
    shown = shown_in(text)
    for r in shown:
        assert r.name_in(lang) != r.name, f"{r.id} has no {lang} name in the registry"
        assert r.name_in(lang) in text, (r.id, text)
        assert r.name not in text, (r.id, text)
        if r.warning:  # after the label of the language: "Внимание: ..."
            assert f"{STRINGS.get('warning', lang)}: {r.warning_in(lang)}" in text, (r.id, text)
    english = [r.warning for r in REGISTRY.values() if r.warning and r.warning in text]
    assert not english, english
    return shown


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio, starter_runtime: Runtime) -> Iterator[AppServer]:
    with serve_on_fake(tmp_path, fake, starter_runtime, fragment_window=0.3) as server:
        yield server


def test_a_russian_urgent_sms_names_and_warns_in_russian(app: AppServer) -> None:
    sender = "+998901234577"  # an Uzbek number: the Uzbek lines come too
    replies = app.ask("Меня задержали в Хабаровске, в полиции говорят: подписывай контракт "
                      "с армией или депортация. Что делать?", sender, "sms")
    replies += app.ask("CONTACTS", sender, "sms")
    text = "\n".join(replies)
    shown = assert_in_language(text, "ru")
    assert any(r.urgent for r in shown), text  # the urgent line, in Russian
    assert any(r.warning for r in shown), text  # and a warning, in Russian
    assert all(utf16_units(r) <= TWILIO_MAX_BODY for r in replies)  # still one message each


def test_a_french_whatsapp_answer_names_and_warns_in_french(app: AppServer) -> None:
    sender = "+919812345678"  # an Indian student: the embassy's line, with its warning
    replies = app.ask("Je suis un étudiant indien à Kazan. On me pousse à signer un contrat "
                      "avec l'armée, sinon je serai expulsé. Que faire ?", sender, "whatsapp")
    replies += app.ask("CONTACTS", sender, "whatsapp")
    text = "\n".join(replies)
    shown = assert_in_language(text, "fr")
    assert any(r.warning for r in shown), text  # a warning, in French


# -- without the model: the contact book, the renderer and the final check -------------


@pytest.fixture
def partly_translated(tmp_path: Path) -> Path:
    """The shipped knowledge folder with the Russian names and warnings of one file gone."""
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "referrals" / "russia.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    kept, skip = [], False
    for line in lines:
        if line == "    ru:":
            skip = True
            continue
        if skip and line.startswith("      "):
            continue
        skip = False
        kept.append(line)
    path.write_text("\n".join(kept), encoding="utf-8")
    return root


class NoRuntime:
    def current(self) -> None:
        return None


def test_a_language_without_a_translation_gets_the_english(partly_translated: Path) -> None:
    book = ContactBook(NoRuntime(), partly_translated)  # type: ignore[arg-type]
    unhcr = registry(partly_translated)["unhcr-russia-hotline"]
    assert unhcr.translation("ru") is None and unhcr.translation("fr") is not None
    for lang, name in (("ru", unhcr.name), ("fr", unhcr.name_in("fr")),
                       ("uz", unhcr.name), (None, unhcr.name)):
        refs = book.for_country("RU", 2, lang)
        assert refs[0].id == "unhcr-russia-hotline" and refs[0].name == name
        sms = "\n".join(render_reply(Reply("...", lang, refs), profile("sms"), STRINGS).parts)
        assert f"{name}: {unhcr.phone}" in sms


def test_a_translated_warning_replaces_the_english_on_every_layout() -> None:
    far_east = REGISTRY["uz-consular-far-east"]
    out = referral_out(far_east, "ru")
    assert out.warning == far_east.warning_in("ru") and out.warning_en == far_east.warning
    assert out.name_en == far_east.name and out.phone == far_east.phone
    for channel in ("sms", "whatsapp", "web"):
        text = "\n".join(render_reply(Reply("...", "ru", [out]), profile(channel),
                                      STRINGS).parts)
        assert far_east.name_in("ru") in text and far_east.warning_in("ru") in text
        assert far_east.warning not in text and far_east.phone in text
    english = referral_out(far_east, "en")
    assert english.name == far_east.name and english.name_en is None
    assert english.warning == far_east.warning and english.warning_en is None


def test_the_final_check_wants_the_registry_text_in_the_answer_language() -> None:
    entry = REGISTRY["iom-ru-hotline"]
    answer = Answer(status="no_answer", language="fr", referrals=[referral_out(entry, "fr")])
    assert check_answer(answer, REGISTRY) == []
    answer.referrals = [referral_out(entry, "ru")]  # Russian names beside a French answer
    assert sorted(check_answer(answer, REGISTRY)) == [
        "referral 'iom-ru-hotline' field name differs from the registry",
        "referral 'iom-ru-hotline' field warning differs from the registry"]
