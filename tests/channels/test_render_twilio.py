"""``bot.channels.render`` for WhatsApp and SMS: layouts, parts, MORE; check 5 as a property."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advisor.models import Answer, Citation, ReferralOut, Sentence
from bot.advisor.strings import load_strings
from bot.channels.render import Rendered, Reply, profile, render_answer, render_reply
from bot.channels.render.limits import (
    TWILIO_MAX_BODY,
    fit,
    is_gsm7,
    sms_part_limit,
    sms_units,
    utf16_units,
)
from bot.channels.render.parts import numbered_parts, pack

ROOT = Path(__file__).resolve().parents[2]
STRINGS = load_strings(ROOT / "prompts" / "strings")
IOM = ReferralOut(id="iom", name="IOM hotline", kind="hotline", phone="8-800-333-00-16",
                  web="https://russia.iom.int/counter-trafficking")
EMBASSY = ReferralOut(id="embassy", name="Your embassy", kind="embassy")


def render(answer: Answer, channel: str) -> str:
    return render_answer(answer, profile(channel), STRINGS).text


def outbound_parts(text: str, channel: str, more_hint: str) -> tuple[list[str], str | None]:
    """A text sent as a reply that may use MORE: the bodies now, and the rest."""
    done: Rendered = render_reply(Reply(text), profile(channel), STRINGS, more_hint=more_hint)
    return done.parts, done.rest


def answer(**kw: object) -> Answer:
    values: dict[str, object] = dict(
        status="answered", language="en",
        sentences=[Sentence(text="Your employer may not keep your passport.", cites=[1])],
        citations=[Citation(n=1, doc_id="passport", title="When someone takes your passport "
                            "and refuses to give it back to you", section="Rights",
                            path="guides/en/passport.md", url="https://example.org/p",
                            quote="...", lang="en")],
        referrals=[EMBASSY, IOM], notice="This is general information, not legal advice.",
    )
    values.update(kw)
    return Answer(**values)  # type: ignore[arg-type]


def test_whatsapp_has_bold_headings_numbered_sources_and_verbatim_contacts() -> None:
    text = render(answer(), "whatsapp")
    assert "*Sources*" in text and "*Contacts*" in text
    assert "1. When someone takes your passport and…" in text  # a short name
    assert "1. When someone takes your passport and… (example.org)" in text
    assert "\nPhone: 8-800-333-00-16" in text  # on its own line: tappable


def test_sms_is_plain_with_the_most_reachable_contact_first() -> None:
    text = render(answer(), "sms")
    assert "*" not in text and "_" not in text
    assert "https://example.org/p" not in text  # citations as short names
    contacts = text.split("Contacts:")[1]
    assert "8-800-333-00-16" in contacts
    # SMS shows one way to reach each contact: a bare name ("Your embassy") is nothing
    # to call, so it is left out there (issue 13).
    assert "Your embassy" not in contacts


def test_sms_gives_a_whatsapp_hotline_beside_the_office_phone() -> None:
    """UNHCR's hotline is its WhatsApp number; SMS showed only the Moscow office's phone
    under a name that promised a WhatsApp hotline (user test, December 2026)."""
    unhcr = ReferralOut(id="unhcr", name="UNHCR (hotline on WhatsApp and Viber)", kind="un",
                        phone="+7 (495) 660-09-01", whatsapp="+7 (903) 792-22-79")
    text = render(answer(referrals=[unhcr, IOM]), "sms")
    assert "UNHCR (hotline on WhatsApp and Viber): +7 (495) 660-09-01, WhatsApp: " \
           "+7 (903) 792-22-79" in text
    # One number where there is one (or the same on both).
    assert "IOM hotline: 8-800-333-00-16\n" in text or text.endswith("IOM hotline: 8-800-333-00-16")
    same = ReferralOut(id="x", name="Line", kind="hotline", phone="+7 900", whatsapp="+7 900")
    assert "Line: +7 900," not in render(answer(referrals=[same]), "sms")


def test_urgent_contacts_come_first() -> None:
    text = render(answer(urgent=True, urgent_referrals=1, referrals=[IOM, EMBASSY],
                         steps=[Sentence(text="Keep calm.", cites=[1])]), "sms")
    assert text.index("8-800-333-00-16") < text.index("Your employer")


def test_a_long_urgent_sms_keeps_the_first_step_and_the_urgent_contact() -> None:
    long_step = "If someone has taken your passport, write down who took it, when and where. " * 3
    steps = [Sentence(text=long_step.strip() + f" ({i})", cites=[1]) for i in range(1, 4)]
    text = render(answer(urgent=True, urgent_referrals=1, referrals=[IOM, EMBASSY], steps=steps,
                         intro="If you are in danger now, do this first:"), "sms")
    assert len(text) <= 700
    assert steps[0].text in text
    assert "IOM hotline: 8-800-333-00-16" in text  # whole, after the step it follows
    assert text.index(steps[0].text) < text.index("8-800-333-00-16")
    assert text.endswith("This is general information, not legal advice.")


def test_segments_are_shorter_outside_gsm7() -> None:
    assert is_gsm7("Hello, where is my passport?") and not is_gsm7("Привет")
    # Four segments: 4 x 153 GSM-7 characters, or 4 x 67 UCS-2 units.
    assert sms_part_limit("Hello") == 612 and sms_part_limit("Привет") == 268
    assert sms_part_limit("a" * 150 + "😀") == 268  # one emoji makes the whole text UCS-2
    assert sms_units("a" * 150 + "😀") == 152 and sms_units("{a}") == 5  # escapes: 2 septets
    assert utf16_units("😀") == 2


def test_long_sms_ends_with_more_and_keeps_the_rest() -> None:
    text = " ".join(f"Sentence number {i} says something useful." for i in range(40))
    [first], rest = outbound_parts(text, "sms", "Reply MORE for the rest.")
    assert first.endswith("Reply MORE for the rest.")
    assert sms_units(first) <= sms_part_limit(first)  # four segments at most
    assert rest and rest.startswith("Sentence number")
    assert first.split("\n")[0].endswith(".")  # cut at a sentence boundary


def test_long_whatsapp_is_split_into_numbered_parts_at_sentences() -> None:
    text = " ".join(f"Sentence {i} is here." for i in range(200))
    parts = numbered_parts(text)
    assert len(parts) > 1
    assert parts[0].startswith(f"(1/{len(parts)}) Sentence 0")
    assert all(p.endswith(".") for p in parts)


# Check 5: every outbound body is at most 1,600 characters for any input, in any script.
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=6000
)
SCRIPTS = st.sampled_from(["Латиница", "عربى", "नेपाली", "አማርኛ", "😀🎉", "abc", "中文"])


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT, st.sampled_from(["sms", "whatsapp"]))
def test_every_part_fits_for_any_text(text: str, channel: str) -> None:
    parts, rest = outbound_parts(text, channel, "Reply MORE for the rest.")
    assert parts and all(utf16_units(p) <= TWILIO_MAX_BODY for p in parts)
    while rest:  # MORE, MORE, ...: every later part fits too
        parts, rest = outbound_parts(rest, channel, "Reply MORE.")
        assert all(utf16_units(p) <= TWILIO_MAX_BODY for p in parts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(SCRIPTS, st.integers(1, 400)), min_size=1, max_size=30),
       st.sampled_from(["sms", "whatsapp"]), ANY_TEXT)
def test_every_rendered_answer_fits(pieces: list[tuple[str, int]], channel: str,
                                    name: str) -> None:
    sentences = [Sentence(text=s * n, cites=[1]) for s, n in pieces]
    refs = [ReferralOut(id=f"r{i}", name=name or "x", kind="ngo", phone="+7 " + str(i) * 8)
            for i in range(5)]
    text = render(answer(sentences=sentences, referrals=refs, intro=name), channel)
    parts, _ = outbound_parts(text, channel, "Reply MORE.")
    assert all(utf16_units(p) <= TWILIO_MAX_BODY for p in parts)


@given(ANY_TEXT, st.integers(5, 1600))
def test_pack_and_fit_respect_the_limit(text: str, limit: int) -> None:
    assert all(utf16_units(p) <= limit for p in pack(text, limit))
    assert utf16_units(fit(text, limit)) <= limit


def test_a_contact_with_nothing_to_call_is_left_out_on_a_phone() -> None:
    """Answers listed the Civic Assistance Committee with its opening hours only, and
    nothing to call; the web page still shows its card."""
    hours_only = ReferralOut(id="cac", name="Civic Assistance Committee", kind="ngo",
                             hours="Mon, Wed, Fri 10:00-17:00")
    a = answer(referrals=[IOM, hours_only, EMBASSY])
    for channel in ("whatsapp", "sms"):
        assert "Civic Assistance" not in render(a, channel)
    assert "IOM hotline" in render(a, "whatsapp") and "Your embassy" in render(a, "whatsapp")
    web = render_answer(a, profile("web"), STRINGS).text
    assert "Civic Assistance" in web


def test_a_source_on_a_phone_is_its_site_never_its_path() -> None:
    """A news address's path is a headline ("...-soldiers-desert-and-surrender") on a
    phone a commander may check: WhatsApp names the guide and the site only, SMS the
    guide; the web answer and the JSON keep the full address to check it."""
    url = "https://www.example-news.com/2025/10/27/foreign-soldiers-desert-and-surrender-a91"
    risky = answer(citations=[Citation(n=1, doc_id="passport", title="Your passport",
                                       section="Rights", path="guides/en/passport.md",
                                       url=url, quote="...", lang="en")])
    whatsapp, sms = render(risky, "whatsapp"), render(risky, "sms")
    for text in (whatsapp, sms):
        assert "desert" not in text and "surrender" not in text and "/2025/" not in text
    assert "1. Your passport (example-news.com)" in whatsapp
    assert "Your passport" in sms
    assert url in render(risky, "web") and risky.citations[0].url == url


def test_sms_sends_typography_as_gsm7_and_keeps_accents() -> None:
    # A source's short name ends in "…": one such character sent a whole English SMS
    # in UCS-2 (70 characters a segment instead of 160).
    typographic = answer(sentences=[Sentence(text="Don’t sign — say “no” calmly.", cites=[1])])
    parts = render_answer(typographic, profile("sms"), STRINGS,
                          more_hint="Reply MORE for the rest.").parts
    assert all(is_gsm7(p) for p in parts), parts
    assert "When someone takes your..." in parts[0]
    assert "Don't sign - say \"no\" calmly." in parts[0]
    assert "…" in render(typographic, "whatsapp")  # WhatsApp keeps its typography
    french = render_reply(Reply("Répondez « PLUS » pour la suite…", "fr"), profile("sms"),
                          STRINGS).parts
    assert french == ['Répondez " PLUS " pour la suite...']
