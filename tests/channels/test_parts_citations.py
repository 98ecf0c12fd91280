"""A long reply cut into parts keeps each sentence with its citation (issue 13: an SMS part
ended without its "[1]", and the rest began with it)."""

from __future__ import annotations

from bot.channels.render.parts import pack


def test_a_citation_marker_never_opens_the_next_part() -> None:
    text = ("If you live outside Russia, report it to your foreign ministry first. [1] "
            "You can also write to UN experts. [1, 2]")
    parts = pack(text, 80)
    assert parts == ["If you live outside Russia, report it to your foreign ministry first. [1]",
                     "You can also write to UN experts. [1, 2]"]


def test_a_part_never_ends_on_a_heading() -> None:
    text = "First sentence of the answer, long enough to fill. [1]\n\nContacts:\nUNHCR: +7 495"
    parts = pack(text, 60)
    assert all(not p.rstrip().endswith(":") for p in parts)
    assert any(p.startswith("Contacts:\nUNHCR") for p in parts)
