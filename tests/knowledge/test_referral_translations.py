"""A referral's name and warning in other languages (``translations:``), checked through
load_knowledge on copies of the valid fixture: every bad block names file, line and field."""

from __future__ import annotations

import pytest
from knowledge_folder import Folder, unexpected

from bot.index.snapshot import Snapshot

REG = "referrals/registry.yaml"
FR_BLOCK = '    fr: {name: "Ligne d\'urgence contre la traite (Russie)"}\n'
# The legal NGO has no English warning; the hotline is urgent.
NGO_HOURS = "  hours: Mon-Fri 10:00-18:00 Moscow time\n"


def with_block(folder: Folder, block: str) -> None:
    """The hotline's translations replaced by ``block`` (lines under 'translations:')."""
    folder.edit(REG, FR_BLOCK, block)


def test_the_fixture_translation_is_loaded_and_falls_back_to_english(folder: Folder):
    k = folder.load()
    assert unexpected(k) == []
    hotline = k.referrals["iom-ru-hotline"]
    assert hotline.name_in("fr") == "Ligne d'urgence contre la traite (Russie)"
    assert hotline.name_in("ru") == hotline.name == "Counter-trafficking hotline (Russia)"
    assert hotline.name_in(None) == hotline.name and hotline.warning_in("fr") is None


def test_a_warning_is_translated_only_with_its_english(folder: Folder):
    folder.edit(REG, "  notes: free of charge inside Russia\n",
                "  notes: free of charge inside Russia\n  warning: Old number.\n")
    with_block(folder, '    fr: {name: "Ligne", warning: "Ancien numéro."}\n'
                       '    ru: {name: "Горячая линия"}\n')
    hotline = folder.load().referrals["iom-ru-hotline"]
    assert hotline.warning_in("fr") == "Ancien numéro."
    assert hotline.warning_in("ru") == "Old number."  # a name alone: the English warning
    assert hotline.warning_in("es") == "Old number." and hotline.name_in("es") == hotline.name


@pytest.mark.parametrize(("block", "field", "says"), [
    ('    xx: {name: "Ligne"}\n', "translations.xx", "unknown language code 'xx'"),
    ('    fra: {name: "Ligne"}\n', "translations.fra", "did you mean 'fr'"),
    ('    en: {name: "Hotline"}\n', "translations.en", "English is the entry's own"),
    ('    fr: {nom: "Ligne"}\n', "translations.fr.nom", "unknown field 'nom'"),
    ('    fr: {name: ""}\n', "translations.fr.name", "must not be empty"),
    ('    fr: {name: null}\n', "translations.fr.name", "must not be empty"),
    ('    fr: {}\n', "translations.fr", "a name, a warning or both"),
    ('    fr: {name: "Ligne", warning: "Ancien numéro."}\n', "translations.fr.warning",
     "no English 'warning'"),
    ('    fr: {name: "Ligne"}\n    fr: {name: "Autre"}\n', "translations.fr", "given twice"),
])
def test_a_bad_translation_names_file_line_and_field(folder: Folder, block: str, field: str,
                                                     says: str):
    with_block(folder, block)
    k = folder.load()
    p = folder.problem(k, REG, field)
    key = block.strip().split(":")[0]
    assert p.severity == "error" and says in p.message and "iom-ru-hotline" in p.message
    line = folder.line(REG, block.splitlines()[-1].strip()) if "twice" in says \
        else folder.line(REG, f"    {key}:")
    assert p.line == line
    assert "iom-ru-hotline" not in k.referrals  # an entry with an error is never served


def test_translations_must_be_a_mapping(folder: Folder):
    folder.edit(REG, "  translations:\n" + FR_BLOCK, "  translations: [fr]\n")
    p = folder.problem(folder.load(), REG, "translations")
    assert p.line == folder.line(REG, "translations: [fr]") and "e.g." in p.message


def test_a_translated_warning_has_the_sms_length_limit(folder: Folder):
    folder.edit(REG, "  notes: free of charge inside Russia\n",
                "  notes: free of charge inside Russia\n  warning: Old number.\n")
    with_block(folder, f'    fr: {{name: "Ligne", warning: "{"x" * 161}"}}\n')
    p = folder.problem(folder.load(), REG, "translations.fr.warning")
    assert "161 characters" in p.message and p.line == folder.line(REG, "    fr:")


def test_an_urgent_entry_without_a_name_in_a_served_language_with_guides_warns(folder: Folder):
    folder.edit(REG, "  translations:\n" + FR_BLOCK, "")
    k = folder.load()
    p = folder.problem(k, REG, "translations")
    assert p.severity == "warning" and p.line == folder.line(REG, "id: iom-ru-hotline")
    assert "no name in fr" in p.message and "iom-ru-hotline" in p.message
    assert "iom-ru-hotline" in k.referrals  # a warning: still served, in English


def test_an_entry_with_a_warning_needs_it_translated_too(folder: Folder):
    # The legal NGO gets a warning: French has guides, so it warns for its name and warning.
    folder.edit(REG, NGO_HOURS, NGO_HOURS + "  warning: Call in the daytime only.\n")
    p = folder.problem(folder.load(), REG, "translations")
    assert p.line == folder.line(REG, "id: legal-aid-ngo") and p.severity == "warning"
    assert "no name in fr and no warning in fr" in p.message
    folder.edit(REG, NGO_HOURS, NGO_HOURS + "  translations:\n"
                '    fr: {name: "Aide juridique", warning: "Appelez seulement le jour."}\n')
    assert unexpected(folder.load()) == []


def test_translations_survive_the_index_snapshot(folder: Folder):
    # The served index keeps the registry in its snapshot: a translation read back as a
    # list of dicts made the referral unhashable and every answer fail.
    referrals = list(folder.load().referrals.values())
    stored = Snapshot("g1", "e5", "key", referrals=referrals).to_json()
    back = Snapshot.from_json(stored).referrals
    assert back == referrals and len({*back}) == len(back)
    hotline = next(r for r in back if r.id == "iom-ru-hotline")
    assert hotline.name_in("fr") == "Ligne d'urgence contre la traite (Russie)"
