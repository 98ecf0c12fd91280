"""The last gate before an answer leaves: nothing in it may be invented.

Rules, whatever composer wrote the answer:

1. every sentence cites at least one citation of the answer, and its text is
   found verbatim in a cited passage;
2. every e-mail address, URL and legal article number in the sentences occurs
   verbatim in a cited passage or in the referral registry, and every phone
   number in the registry: a number that only a guide prints was never vetted
   as a contact (``bot knowledge check`` refuses contacts in a guide's body;
   this holds whatever composer wrote the answer);
3. every contact shown is exactly the registry's entry (its name and warning
   translated into the answer's language where the registry translates them).

A failed check is an outcome, not an exception: the advisor sends a safe
fallback instead and logs which rule fired (never the text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.advisor.models import Answer
from bot.knowledge.models import CONTACT_FIELDS, Referral
from bot.text.patterns import ARTICLE, EMAIL, PHONE, URL


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def phones_in(text: str) -> list[str]:
    """The phone numbers of a text, as written (seven digits or more)."""
    return [m.group(0).strip() for m in PHONE.finditer(text) if _digits(m.group(0)) >= 7]


def facts_in(text: str) -> list[str]:
    """The checkable facts of a text: contacts and article numbers, as written."""
    found = [m.group(0) for m in EMAIL.finditer(text)]
    found += [m.group(0).rstrip(".,;:") for m in URL.finditer(text)]
    found += phones_in(text)
    found += [m.group(0) for m in ARTICLE.finditer(text)]
    return found


def _registry_text(referrals: Iterable[Referral]) -> str:
    return "\n".join(" ".join(r.contacts() + [r.notes or ""]) for r in referrals)


def check_answer(answer: Answer, registry: Mapping[str, Referral]) -> list[str]:
    """The rules an answer breaks; an empty list means it may be sent."""
    problems: list[str] = []
    quotes = {c.n: c.quote for c in answer.citations}
    allowed = "\n".join(quotes.values()) + "\n" + _registry_text(registry.values())
    numbers = "\n".join(v for r in registry.values()
                        for v in (r.phone, r.whatsapp, r.telegram) if v)

    for i, sentence in enumerate([*answer.steps, *answer.sentences], start=1):
        if not sentence.cites:
            problems.append(f"sentence {i} cites nothing")
            continue
        unknown = [n for n in sentence.cites if n not in quotes]
        if unknown:
            problems.append(f"sentence {i} cites unknown source(s) {unknown}")
            continue
        if not any(sentence.text in quotes[n] for n in sentence.cites):
            problems.append(f"sentence {i} is not found in the passages it cites")
        for fact in facts_in(sentence.text):
            if fact not in allowed:
                problems.append(f"sentence {i} has a contact or article found in no source")
        for phone in phones_in(sentence.text):
            if phone in allowed and phone not in numbers:
                problems.append(f"sentence {i} has a phone number that is not in the registry")

    for shown in answer.referrals:
        entry = registry.get(shown.id)
        if entry is None:
            problems.append(f"referral {shown.id!r} is not in the registry")
            continue
        expected = {name: getattr(entry, name) for name in (*CONTACT_FIELDS, "hours")}
        expected["name"] = entry.name_in(answer.language)
        expected["warning"] = entry.warning_in(answer.language)
        for name, value in expected.items():
            if getattr(shown, name) != value:
                problems.append(f"referral {shown.id!r} field {name} differs from the registry")
    return problems
