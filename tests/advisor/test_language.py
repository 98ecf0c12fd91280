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


@pytest.mark.parametrize(
    "text",
    [
        # Uzbek, Turkmen and transliterated Kyrgyz and Tajik, in Latin letters, were read
        # as Swahili (the served language the model found closest) or fell to English.
        "Assalomu alaykum, men Toshkentdan talabaman. Pasportimni olib qo'yishdi, nima "
        "qilishim kerak?",
        "O'g'lim Rossiyaga ishlashga ketgan edi, endi u armiyada deyishyapti. Nima qilamiz?",
        "Menga shartnoma imzolashni majburlashyapti, yordam bering",
        "Salam, men Türkmenistandan. Meniň pasportymy aldylar, näme etmeli?",
        "Salam, men Kyrgyzstandan kelgem. Pasportumdu alyp koyushtu, emne kylam?",
        "Salom, man az Tojikiston hastam. Pasportamro giriftand, chi kor kunam?",
        "Salam, mən Azərbaycandanam. Pasportumu götürdülər, nə etməliyəm?",
    ],
)
def test_central_asian_languages_in_latin_letters_get_russian_or_the_saved_language(text: str):
    """Not served, and their writers in Russia read Russian: never a wrong-language guess."""
    assert detect_language(text) == "ru"
    assert detect_language(text, saved="en") == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Pasaportumu aldılar, ne yapmalıyım? Askerlik sözleşmesi imzalamam için zorluyorlar",
        "Mereka mengambil paspor saya dan memaksa saya menandatangani kontrak tentara",
        "Wọn gba iwe irinna mi, kini mo le ṣe bayi? Wọn fẹ ki n fowo si iwe adehun ologun",
    ],
)
def test_another_latin_language_we_do_not_serve_keeps_the_saved_or_default_language(text: str):
    """Turkish, Indonesian, Yoruba: not Swahili or Portuguese by closeness."""
    assert detect_language(text) == "en"
    assert detect_language(text, saved="fr") == "fr"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("abeg dem don take my passport, wetin I go do now", "en"),  # Nigerian Pidgin
        ("se a policia levar meu celular perco todos os numeros, como ligo pra familia", "pt"),
        ("me quitaron el pasaporte en el trabajo, que puedo hacer", "es"),
        ("what can I do", "en"),
    ],
)
def test_dialects_and_short_questions_keep_their_served_language(text: str, lang: str):
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
