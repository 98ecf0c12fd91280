"""Grouping knowledge gaps by need, with the real multilingual model."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest

from bot.index.embedders import Embedder
from bot.store.gaps import GROUP_THRESHOLD, MAX_EXAMPLES, NOT_HELPFUL, Gap, cluster, group_gaps

# Needs as people write them, in several languages. The threshold was tuned on
# these and more (see GROUP_THRESHOLD); each need below must stay one group.
NEEDS: dict[str, list[tuple[str, str]]] = {
    "visa-unless-army": [
        ("en", "My university will not extend my visa unless I sign an army contract"),
        ("en", "They say my student visa won't be renewed if I don't join the military"),
        ("fr", "Le doyen dit que mon visa ne sera pas prolongé si je ne signe pas un contrat "
               "avec l'armée"),
        ("ru", "Мне не продлят визу, если я не подпишу контракт с армией"),
        ("pt", "Universidade diz que meu visto não será renovado se eu não assinar contrato "
               "militar"),
    ],
    "passport-kept": [
        ("en", "My employer took my passport and won't give it back"),
        ("en", "The boss keeps my passport, what can I do?"),
        ("fr", "Mon patron a confisqué mon passeport"),
        ("ru", "Работодатель забрал мой паспорт и не отдаёт"),
        ("ar", "صاحب العمل أخذ جواز سفري ولا يريد إعادته"),
    ],
    "unpaid-wages": [
        ("en", "I have not been paid my salary for three months"),
        ("en", "My wages are unpaid since March, who can help?"),
        ("fr", "On ne m'a pas payé mon salaire depuis trois mois"),
        ("ru", "Мне не платят зарплату уже три месяца"),
    ],
    "dormitory-eviction": [
        ("en", "The dormitory says I must leave tomorrow because I refused to sign"),
        ("en", "They are kicking me out of the hostel for not signing the contract"),
        ("ru", "Меня выселяют из общежития, потому что я не подписал контракт"),
        ("fr", "On me chasse du foyer parce que je n'ai pas signé"),
    ],
    "marriage": [
        ("en", "Can I marry a Russian citizen on a student visa?"),
        ("fr", "Est-ce que je peux me marier avec une citoyenne russe ?"),
        ("ar", "هل يمكنني الزواج من مواطنة روسية بتأشيرة طالب؟"),
    ],
    "brother-silent": [
        ("en", "My brother went to work in Russia and stopped answering, he may be at the front"),
        ("fr", "Mon frère ne répond plus depuis qu'il est parti travailler en Russie"),
        ("ne", "मेरो भाइ रुसमा काम गर्न गएको थियो, अहिले सम्पर्कमा छैन"),
    ],
    "weather": [("en", "What is the weather like in Novosibirsk in winter?")],
    "halal-food": [("en", "Where can I buy halal food in Kazan?")],
    "sim-card": [("en", "How do I buy a SIM card without a passport?")],
}
NOW = datetime(2026, 12, 1, 12, 0)


def _gaps() -> tuple[list[Gap], dict[int, str]]:
    gaps, need_of = [], {}
    for i, (need, items) in enumerate((n, q) for n, qs in NEEDS.items() for q in qs):
        lang, text = items
        gaps.append(Gap(i, text, lang, "whatsapp", ("no answer",), (),
                        NOW - timedelta(minutes=i)))
        need_of[i] = need
    return gaps, need_of


@pytest.fixture(scope="module")
def grouped(embedder: Embedder) -> tuple[list[list[int]], dict[int, str]]:
    gaps, need_of = _gaps()
    return [[g.id for g in group.gaps] for group in group_gaps(gaps, embedder)], need_of


def test_paraphrases_in_any_language_form_one_group(grouped) -> None:  # type: ignore[no-untyped-def]
    groups, need_of = grouped
    for need in NEEDS:
        holding = [g for g in groups if any(need_of[i] == need for i in g)]
        assert len(holding) == 1, f"{need} is split over {len(holding)} groups: {holding}"


def test_different_needs_stay_apart(grouped) -> None:  # type: ignore[no-untyped-def]
    groups, need_of = grouped
    for group in groups:
        assert len({need_of[i] for i in group}) == 1, [need_of[i] for i in group]
    assert len(groups) == len(NEEDS)


def test_a_group_mixes_languages(embedder: Embedder) -> None:
    gaps, need_of = _gaps()
    groups = group_gaps(gaps, embedder)
    passport = next(g for g in groups if need_of[g.gaps[0].id] == "passport-kept")
    assert set(passport.languages) == {"en", "fr", "ru", "ar"}
    assert passport.languages[0] == "en"  # the most frequent first


def test_groups_are_ordered_by_size_then_recency(embedder: Embedder) -> None:
    gaps, _ = _gaps()
    groups = group_gaps(gaps, embedder)
    keys = [(g.count, g.latest) for g in groups]
    assert keys == sorted(keys, reverse=True)
    assert groups[0].count == 5
    # Two groups of five: the one asked about most recently comes first.
    assert [g.gaps[0].text for g in groups[:2]] == [
        NEEDS["visa-unless-army"][0][1], NEEDS["passport-kept"][0][1]]
    # Inside a group, the newest question first.
    assert all(a.created_at >= b.created_at for g in groups for a, b in pairwise(g.gaps))


def test_group_summary_counts_reasons_and_keeps_comments(embedder: Embedder) -> None:
    texts = [
        "My employer took my passport and won't give it back",
        "my employer took my passport and won't give it back",  # the same text again
        "The boss keeps my passport, what can I do?",
        "Mon patron a confisqué mon passeport",
        "Работодатель забрал мой паспорт и не отдаёт",
        "صاحب العمل أخذ جواز سفري ولا يريد إعادته",
        "My employer has my passport, how do I get it back?",
    ]
    gaps = [Gap(i, t, None, "sms" if i % 2 else "web",
                ("no answer: no_relevant",) if i < 4 else (NOT_HELPFUL,),
                ("cited the wrong country",) if i == 5 else (), NOW - timedelta(hours=i))
            for i, t in enumerate(texts)]
    [group] = group_gaps(gaps, embedder)
    assert group.count == len(texts)
    assert dict(group.reasons) == {"no answer: no_relevant": 4, NOT_HELPFUL: 3}
    assert group.channels == ["web", "sms"]
    assert group.languages == ["?"]
    assert len(group.examples) == MAX_EXAMPLES
    assert [e.id for e in group.examples] == [0, 2, 3, 4, 5]  # no text twice
    assert group.comments == ["cited the wrong country"]
    assert group.latest == NOW


# The clustering itself, on vectors whose similarities are known.


def _at(*degrees: float) -> np.ndarray:
    return np.array([[math.cos(math.radians(d)), math.sin(math.radians(d))] for d in degrees])


def test_cluster_joins_close_vectors_and_splits_far_ones() -> None:
    # cos 10° = 0.985 (together); cos 90° = 0 (apart).
    assert cluster(_at(0, 10, 90, 95), 0.9) == [[0, 1], [2, 3]]
    assert cluster(_at(0, 90, 180), 0.9) == [[0], [1], [2]]
    assert cluster(np.zeros((0, 3))) == []
    assert cluster(_at(7)) == [[0]]


def test_average_linkage_does_not_chain_topics() -> None:
    # Neighbours at 25° (cos 0.906) but ends at 50° (cos 0.643): single linkage
    # would join all three; the group's mean similarity to the third is 0.77.
    groups = cluster(_at(0, 25, 50), 0.875)
    assert len(groups) == 2 and sorted(len(g) for g in groups) == [1, 2]
    assert GROUP_THRESHOLD == pytest.approx(0.875)
