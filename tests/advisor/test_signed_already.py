"""Someone who says they already signed reads the after-signing guidance first, never
"do not sign on the spot" (bot/advisor/conditions.py; found by the second user test:
a Tajik builder made to sign a month ago, a Cuban who signed and was never paid)."""

from __future__ import annotations

import pytest

from bot.advisor.models import Answer, Question
from bot.advisor.runtime import Runtime

SIGNED = [
    ("ru", "здраствуйте брат меня на стройке заставили подписать бумагу месяц назад типа "
           "трудовой договор теперь говорят это контракт с минобороны"),
    ("es", "firme hace un mes en tula me prometieron 200 mil rublos y no me han pagado nada"),
    ("en", "I signed a paper last month, they said it was a work contract, now they say it "
           "is a Ministry of Defence contract"),
    ("fr", "j'ai signé un papier le mois dernier, maintenant ils disent que c'est un contrat "
           "avec l'armée"),
    ("pt", "assinei um papel no mês passado, agora dizem que é um contrato com o exército"),
    ("ar", "وقعت على ورقة الشهر الماضي والآن يقولون إنها عقد مع وزارة الدفاع"),
    ("sw", "nimesaini karatasi mwezi uliopita, sasa wanasema ni mkataba wa jeshi"),
    ("hi", "मैंने पिछले महीने एक कागज़ पर साइन किया, अब वो कहते हैं कि यह सेना का कॉन्ट्रैक्ट है"),
    ("ne", "maile gaeko mahina euta kagaj ma sign gare, aba uniharu yo sena ko contract ho "
           "bhanchan"),
]


def first_read(answer: Answer) -> tuple[str, str]:
    """(the first text the person reads, the guide it quotes)."""
    first = answer.steps[0] if answer.steps else answer.sentences[0]
    by_n = {c.n: c for c in answer.citations}
    return first.text, by_n[first.cites[0]].doc_id


@pytest.mark.parametrize(("lang", "text"), SIGNED)
def test_someone_who_signed_reads_the_after_signing_guidance_first(
    starter_runtime: Runtime, lang: str, text: str
):
    view = starter_runtime.watcher.view
    answer = starter_runtime.ask(Question(text=text, lang=lang))
    assert answer.status == "answered", answer.reason
    said, doc_id = first_read(answer)
    conditions = {d.doc_id: d.condition for d in view.documents.values()}
    # The already-signed guide, or the first-steps section for those who signed.
    assert conditions.get(doc_id) == "after-signing" or (
        answer.steps and answer.dangers[:1] == ["signed"]), (lang, doc_id, said)
    # Nothing written only for before a signature comes first.
    assert "signing" not in answer.dangers, answer.dangers
    assert all(conditions.get(c.doc_id) != "before-signing" for c in answer.citations[:1]), (
        lang, [c.doc_id for c in answer.citations])


def test_pushed_to_sign_now_still_reads_do_not_sign_first(starter_runtime: Runtime):
    """The other side stays as it was: pressure to sign now is not a signature."""
    answer = starter_runtime.ask(Question(
        text="my employer says I must sign an army contract tomorrow or lose my job",
        lang="en"))
    _said, doc_id = first_read(answer)
    view = starter_runtime.watcher.view
    conditions = {d.doc_id: d.condition for d in view.documents.values()}
    assert conditions.get(doc_id) != "after-signing", doc_id


def test_signed_and_sent_to_the_front_gets_the_front_steps(starter_runtime: Runtime):
    answer = starter_runtime.ask(Question(
        text="I signed last month, now they are sending me to the front", lang="en"))
    assert answer.urgent, answer.triage
    assert "front" in answer.dangers, answer.dangers
    assert "signing" not in answer.dangers
