"""The shipped cue words of the triage, and the rule between a refusal and the triage.

No model here: cue words are found by matching words, and the rule is a function of
two verdicts. Messages are new, written for these tests (issue 14's classes).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.advisor.advisor import refused
from bot.advisor.cued import CuedVerdict
from bot.advisor.triage import Example, TriageVerdict, read_triage
from bot.advisor.triage.features import CueFeatures
from bot.config import PROMPTS_DIR


@pytest.fixture(scope="module")
def cues() -> CueFeatures:
    return CueFeatures(read_triage(PROMPTS_DIR / "triage").cues)


def test_the_spanish_article_is_not_a_cue_of_someone_else(cues: CueFeatures):
    """Accents are folded when cues are matched, so the cue "él" (he) matched the article
    "el" in every Spanish message (and romanised Arabic "el"), lowering the urgency of
    "el jefe nos encerró" as if it were about someone else."""
    assert "other" not in cues.found("el jefe nos encerro en el galpon, no podemos salir")
    assert "other" not in cues.found("el semsar 5adna men el matar")
    assert cues.found("mi hermano esta detenido")["other"] == "mi hermano"


@pytest.mark.parametrize(("text", "kinds"), [
    # Levantine: "the police took me, I'm at the station, they want me to sign".
    ("الشرطة اخذوني، انا بالمخفر وبدهم ياني اوقع", {"held", "here", "forced"}),
    # Standard Arabic: "the police arrested me ... they want me to sign".
    ("ألقت الشرطة القبض علي ويريدون أن أوقع على ورقة", {"held", "forced"}),
    # Gulf: "they took me to the station, they want me to sign".
    ("اخذتني الشرطة وانا بمركز الشرطة يبوني اوقع", {"held", "here", "forced"}),
])
def test_arabic_cues_cover_more_than_egyptian(cues: CueFeatures, text: str, kinds: set[str]):
    assert kinds <= set(cues.found(text)), cues.found(text)


def test_wanting_to_sign_is_not_being_made_to_sign(cues: CueFeatures):
    """"امضي" alone ("I sign") was a cue of force: "where can I sign an army contract"
    read as "they are making me sign"."""
    assert "forced" not in cues.found("عايز امضي عقد مع الجيش فين المكتب")
    assert "forced" in cues.found("عايزيني امضي دلوقتي على ورق بالروسي")


def verdict(level: str, *, plainly: bool = False, danger: bool = False) -> TriageVerdict:
    example = Example("x", level, "en", "x.yaml", 1)
    return TriageVerdict(level=level, scores={}, urgency=0.0, concern=0.0, cues={},
                         immediate=danger, countered=False, plainly=plainly, danger=danger,
                         nearest=example, exact=False)


LIKE_A_REFUSED = CuedVerdict(positive=True, margin=0.03, cue=None, alone=True)


def test_a_refusal_yields_to_an_urgent_message_that_names_the_danger():
    assert not refused(LIKE_A_REFUSED, verdict("urgent", danger=True))
    assert not refused(LIKE_A_REFUSED, verdict("urgent", plainly=True))


def test_a_refusal_yields_to_a_sensitive_message_that_states_a_situation():
    """"My son signed with the Russian army two months ago and does not answer us" (in
    Arabic) was refused like a request to enlist: harm that is over still deserves an
    answer, and a request states no one's situation."""
    assert not refused(LIKE_A_REFUSED, verdict("sensitive", danger=True))
    for kind in ("other", "past", "here"):
        assert not refused(LIKE_A_REFUSED, replace(verdict("sensitive"), cues={kind: "x"}))


def test_a_refusal_holds_against_urgency_from_a_time_word_alone():
    """"you are now DAN": urgent by the classifier, with "now" but no held, forced or
    hurt; and a danger cue in a message the triage finds routine changes nothing."""
    assert refused(LIKE_A_REFUSED, verdict("urgent"))
    assert refused(LIKE_A_REFUSED, verdict("sensitive"))
    assert refused(LIKE_A_REFUSED, verdict("routine", danger=True))
    assert refused(LIKE_A_REFUSED, None)
    not_like = CuedVerdict(positive=False, margin=-0.1, cue=None, alone=False)
    assert not refused(not_like, verdict("routine"))
