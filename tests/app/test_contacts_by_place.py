"""CONTACTS through the signed Twilio webhook, for where the person is (user test of
December 2026: c14, c31, c22, c05). The real app, real SQLite, the shipped registry; the
assistant is still loading, so no model runs: CONTACTS never needs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.harness import AppServer, serve, twilio_settings, without_note
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

UNHCR_PHONE = "+7 (495) 660-09-01"
GENERIC_EMBASSY = "Your own embassy or consulate in Russia"


@pytest.fixture
def app(tmp_path: Path, fake: FakeTwilio) -> Iterator[AppServer]:
    settings = twilio_settings(tmp_path, fake.base_url, ACCOUNT_SID, AUTH_TOKEN)
    with serve(settings, None) as server:
        yield server


def contacts(app: AppServer, sender: str, said: str, channel: str = "whatsapp",
             command: str = "CONTACTS") -> list[str]:
    app.ask(said, sender, channel)
    return without_note(app.ask(command, sender, channel))


def test_a_mother_in_ghana_gets_ghanas_line_first_and_no_line_only_callable_in_russia(
        app: AppServer) -> None:
    """c14: a mother in Kumasi got UNHCR Russia, a Russian 8-800 free-phone and "your own
    embassy in Russia"; Ghana's foreign ministry, in the registry, never came."""
    [reply] = contacts(app, "+233201234514",
                       "Good evening. My son went to Russia for studies in 2024. Since "
                       "September he is not answering. His friend said he joined army. I am "
                       "his mother in Kumasi. Please what can I do")
    body = reply.split("\n\n", 1)[1]
    assert body.startswith("Ghana Ministry of Foreign Affairs"), reply
    assert "8-800" not in reply and "+7 800" not in reply
    assert UNHCR_PHONE not in reply


def test_a_mother_in_kathmandu_gets_nepals_consular_department(app: AppServer) -> None:
    """c31: the answer named Nepal's Department of Consular Services; CONTACTS never did."""
    [reply] = contacts(app, "+9779851234531",
                       "I am mother in Kathmandu. my son is in russian army since 5 month, no "
                       "contact. who can help in Nepal?")
    body = reply.split("\n\n", 1)[1]
    assert body.startswith("Nepal Ministry of Foreign Affairs, Department of Consular"), reply
    assert "8-800" not in reply and "+7 800" not in reply


def test_a_sri_lankan_in_moscow_gets_russias_lines_then_his_own_callable_from_there(
        app: AppServer) -> None:
    """c22: in Russia the lines in Russia come first; the defence hotline in a form one
    can dial from Russia; the 2013 IOM line, which may no longer work, gives way."""
    [reply] = contacts(app, "+94761234522", "I am Sri Lankan worker in Moscow. agent say "
                       "sign army contract or he send me to police")
    assert reply.index(UNHCR_PHONE) < reply.index("Embassy of Sri Lanka in Moscow")
    assert "+94 11 244 1146" in reply and "011 2 44 11 46" not in reply
    assert "IOM" not in reply and GENERIC_EMBASSY not in reply


def test_an_uzbek_held_in_moscow_gets_every_contact_in_one_sms(app: AppServer) -> None:
    """c05: by SMS, CONTACTS sent UNHCR alone and "reply MORE"; the Uzbek line never came."""
    replies = contacts(app, "+998901234505", "Меня задержали в Москве, в отделе полиции "
                       "говорят или депортация или контракт с армией. Что делать?",
                       channel="sms", command="КОНТАКТЫ")
    [reply] = replies
    assert UNHCR_PHONE in reply and "+7 423 260 48 00" in reply
    assert "ЕЩЁ" not in reply  # nothing left for MORE
    more = without_note(app.ask("ЕЩЁ", "+998901234505", "sms"))
    assert "+7 423 260 48 00" not in "".join(more)



def test_a_foreign_number_that_names_no_place_still_gets_the_lines_in_russia(
        app: AppServer) -> None:
    """Most who write are in Russia and keep their home number: a Kenyan number that says
    nothing of where it is must not lose the lines in Russia (UNHCR's hotline there)."""
    [reply] = contacts(app, "+254711234577",
                       "they took my passport and say sign the contract or go to prison")
    assert UNHCR_PHONE in reply, reply


def test_a_father_at_home_writing_about_his_son_gets_his_own_countrys_lines_first(
        app: AppServer) -> None:
    """The writer's place is the other place named when the message is about a relative."""
    [reply] = contacts(app, "+2348031234577",
                       "my son is in Russia, they put him in the army. I am his father in "
                       "Lagos, who can help us here")
    assert "8-800" not in reply and "+7 800" not in reply, reply


FAMILY_TRACING = "https://icrc.org/en/what-we-do/restoring-family-links"


def first_contact(reply: str) -> str:
    """The first contact under the intro line."""
    return reply.split("\n\n", 2)[1]


def test_a_nigerian_whose_brother_went_silent_in_russia_is_not_sent_to_russias_lines(
        app: AppServer) -> None:
    """d19 (user test 2): a WhatsApp from +234 about a brother silent in Russia got UNHCR's
    Moscow office and "your embassy in Russia" first. The writer is at home: the lines
    for a family anywhere (the Red Cross tracing of missing relatives) come first, the
    lines in Russia after, and UNHCR's urgent line in Russia is not offered."""
    [reply] = contacts(app, "+2348091234519",
                       "good day. my brother travel go Russia since march for work, e no dey "
                       "pick call for 4 weeks now. dem say e join army")
    assert FAMILY_TRACING in first_contact(reply), reply
    assert UNHCR_PHONE not in reply, reply


def test_a_cuban_wife_asking_whom_to_call_in_cuba_gets_no_moscow_number_first(
        app: AppServer) -> None:
    """d13: "mi esposo esta en rusia ..." from +53, then CONTACTOS: UNHCR's Moscow numbers
    came first."""
    [reply] = contacts(app, "+5355234513",
                       "buenas, mi esposo esta en rusia hace 5 semanas que no se nada de el, "
                       "creo que lo llevaron a la guerra", command="CONTACTOS")
    assert FAMILY_TRACING in first_contact(reply), reply
    assert UNHCR_PHONE not in reply, reply


def test_a_kenyan_mother_gets_kenyas_diaspora_line_first(app: AppServer) -> None:
    """d05: a mother in Kenya (Swahili, +254) got UNHCR Russia before Kenya's 24/7 line."""
    [reply] = contacts(app, "+254722545605",
                       "Mwanangu yuko Urusi, hajapiga simu wiki tatu sasa. alisema anaenda "
                       "kazi ya ulinzi", command="MAWASILIANO")
    assert "diaspora@mfa.go.ke" in first_contact(reply), reply  # Kenya's 24/7 line
    assert UNHCR_PHONE not in reply, reply


def test_an_angolan_mother_is_placed_by_her_number(app: AppServer) -> None:
    """d33: +244 was not a known calling code: the mother in Angola was taken for someone
    in Russia and got "your embassy in Russia" first."""
    [reply] = contacts(app, "+244923234533",
                       "bom dia, o meu filho foi estudar na Rússia e não responde há 2 meses. "
                       "um amigo dele disse que ele foi para o exército", command="CONTACTOS")
    assert FAMILY_TRACING in first_contact(reply), reply
    assert not first_contact(reply).startswith(GENERIC_EMBASSY), reply
