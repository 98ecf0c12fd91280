"""Which language a message is answered in (bot/advisor/language.py)."""

from __future__ import annotations

import pytest

from bot.advisor.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        # Tamil, Bengali and Sinhala were read as Swahili or another served language.
        "நான் ரஷ்யாவில் படிக்கும் மாணவன். இராணுவ ஒப்பந்தத்தில் கையெழுத்திட கட்டாயப்படுத்துகிறார்கள்",
        "আমি রাশিয়ায় পড়ি, ওরা আমাকে সেনাবাহিনীর চুক্তিতে সই করতে বলছে",
        "මම රුසියාවේ ඉගෙන ගන්නවා, හමුදා ගිවිසුමක් අත්සන් කරන්න කියනවා",
    ],
)
def test_a_script_no_served_language_uses_keeps_the_saved_or_default_language(text: str):
    assert detect_language(text) == "en"
    assert detect_language(text, saved="fr") == "fr"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ils ont pris mon passeport, que faire ?", "fr"),
        ("они забрали мой паспорт, что делать?", "ru"),
        ("أخذوا جواز سفري ماذا أفعل", "ar"),
        ("मेरा पासपोर्ट ले लिया गया है, मैं क्या करूँ?", "hi"),
        ("walichukua pasipoti yangu, nifanye nini sasa?", "sw"),
    ],
)
def test_served_languages_are_still_told_apart(text: str, lang: str):
    assert detect_language(text) == lang


def test_a_long_clear_message_in_the_sibling_language_switches_from_the_saved_one():
    # After "नमस्ते" was answered in Hindi, a long Nepali question was answered in Hindi.
    nepali = ("मेरो छोरा रुस पढ्न गएको थियो, ३ महिनादेखि फोन उठाउँदैन। "
              "साथीले भन्यो ऊ सेनामा भर्ती भयो")
    assert detect_language(nepali, saved="hi") == "ne"
    hindi = "मेरा बेटा रूस पढ़ने गया था, तीन महीने से फ़ोन नहीं उठाता"
    assert detect_language(hindi, saved="ne") == "hi"
    # A short, ambiguous one keeps the saved language.
    assert detect_language("मेरो पासपोर्ट लियो", saved="hi") == "hi"
