"""An answer as WhatsApp and SMS show it.

WhatsApp: short paragraphs, ``*bold*`` headings, numbered citations with short
source names and links, contacts printed verbatim on their own lines so the
phone app makes the numbers tappable. SMS: plain text, no markup, citations as
short names, the most important contact first (the urgent ones, then those
one can call). The order follows the web layout: what to do now (urgent steps
and urgent contacts), the cited guidance and its sources, the other contacts,
the notice. The advisor decided what to say; this only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.advisor.models import Answer, ReferralOut, Sentence
from bot.advisor.strings import Strings

SHORT_NAME = 40
CONTACT_KEYS = ("phone", "whatsapp", "web", "email", "hours")


def short_name(title: str, limit: int = SHORT_NAME) -> str:
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0] or title[:limit]
    return cut.rstrip(" ,;:-") + "…"


def _cited(s: Sentence) -> str:
    return s.text + ("" if not s.cites else " " + "".join(f"[{n}]" for n in s.cites))


def whatsapp_contact(r: ReferralOut, strings: Strings, lang: str) -> str:
    lines = [r.name]
    for key in CONTACT_KEYS:
        value = getattr(r, key)
        if value:
            lines.append(f"{strings.get(key, lang)}: {value}")
    return "\n".join(lines)


def sms_contact(r: ReferralOut) -> str:
    reach = next(
        (getattr(r, k) for k in ("phone", "whatsapp", "web", "email") if getattr(r, k)), None
    )
    return f"{r.name}: {reach}" if reach else r.name


def _by_reach(referrals: list[ReferralOut]) -> list[ReferralOut]:
    """Contacts one can call first; otherwise the advisor's order (most relevant first)."""
    return sorted(referrals, key=lambda r: 0 if (r.phone or r.whatsapp) else 1)


def _layout(sections: dict[str, str], contacts: list[str], heading: str, max_chars: int) -> str:
    """Join the sections, dropping what matters least until the text fits.

    First the least relevant other contacts, then the source list. An urgent
    answer then gives up the guidance and its notes, then its later steps (one
    step at the least), so that the urgent contacts are never cut off. The
    notice stays (a hard cut keeps it as the last resort).
    """
    order = ("intro", "steps", "urgent", "notes", "body", "sources", "contacts", "notice")
    steps = sections.get("steps", "").split("\n") if sections.get("steps") else []

    def join(n: int, with_sources: bool, with_body: bool = True, n_steps: int = len(steps)) -> str:
        parts = dict(sections)
        parts["contacts"] = "\n".join([heading, *contacts[:n]]) if n else ""
        if not with_sources:
            parts["sources"] = ""
        if not with_body:
            parts["body"] = parts["notes"] = ""
        parts["steps"] = "\n".join(steps[:n_steps])
        return "\n\n".join(parts[k] for k in order if parts.get(k))

    attempts = [*((n, True) for n in range(len(contacts), -1, -1)), (0, False)]
    text = ""
    for n, with_sources in attempts:
        text = join(n, with_sources)
        if len(text) <= max_chars:
            return text
    if sections.get("urgent"):
        for n_steps in range(len(steps), 0, -1):
            text = join(0, False, with_body=False, n_steps=n_steps)
            if len(text) <= max_chars:
                return text
    tail = sections.get("notice", "")
    head = text[: max(max_chars - len(tail) - 3, 0)]
    # Cut after the last whole cited sentence ("... [n]") or whole line, never
    # through a sentence or a phone number.
    cut = max(head.rfind("]") + 1, head.rfind("\n"))
    if cut > 0:
        head = head[:cut]
    return head.rstrip() + "\n\n" + tail


def _render(
    answer: Answer,
    strings: Strings,
    max_chars: int,
    bold: Callable[[str], str],
    contact: Callable[[ReferralOut], str],
    sources: str,
    order_contacts: Callable[[list[ReferralOut]], list[ReferralOut]],
) -> str:
    lang = answer.language
    n_urgent = answer.urgent_referrals if answer.status == "answered" else 0
    urgent = [contact(r) for r in order_contacts(answer.referrals[:n_urgent])]
    others = [contact(r) for r in order_contacts(answer.referrals[n_urgent:])]
    sections = {
        "intro": answer.intro,
        "steps": "\n".join(f"{i}. {_cited(s)}" for i, s in enumerate(answer.steps, start=1)),
        "urgent": "\n".join([bold(strings.get("urgent_contacts", lang)), *urgent])
        if urgent else "",
        "notes": "\n".join(answer.notes),
        "body": " ".join(_cited(s) for s in answer.sentences),
        "sources": sources,
        "notice": answer.notice,
    }
    return _layout(sections, others, bold(strings.get("contacts", lang)), max_chars)


def render_whatsapp(answer: Answer, strings: Strings, max_chars: int) -> str:
    lang = answer.language
    sources = ""
    if answer.citations:
        lines = [f"*{strings.get('sources', lang)}*"]
        for c in answer.citations:
            lines.append(f"{c.n}. {short_name(c.title)}" + (f" {c.url}" if c.url else ""))
        sources = "\n".join(lines)
    return _render(answer, strings, max_chars, lambda s: f"*{s}*",
                   lambda r: whatsapp_contact(r, strings, lang), sources, list)


def render_sms(answer: Answer, strings: Strings, max_chars: int) -> str:
    sources = ""
    if answer.citations:
        sources = f"{strings.get('sources', answer.language)}: " + "; ".join(
            f"[{c.n}] {short_name(c.title, 30)}" for c in answer.citations
        )
    return _render(answer, strings, max_chars, _plain_heading, sms_contact, sources, _by_reach)


def _plain_heading(s: str) -> str:
    return s if s.rstrip().endswith((":", "：", "፦")) else f"{s}:"
