"""An ``Answer`` laid out for a channel profile, fitted to its limit by one rule.

Order: for an urgent message, the danger its first steps are for ("If you are
locked in ...:") and whether a caseworker has been alerted, then what to do now (the
first steps and the urgent contacts); then the cited guidance (after a line
saying it may not fit, when it is only the closest there is) and its sources,
then the other contacts, then the notice. On a phone a source is its guide's title
and the site of the guide's first source, never the address's path (``site``); the
web answer lists full addresses.

While nobody is at the inbox, the alert says what to do until a caseworker reads the
message, pointing only to what follows in the same message: the steps, the numbers to
call, both, or neither (``Answer.until_then``).

On SMS an urgent answer's first message is its lead (``sms_urgent_lead``): the first
step and the urgent contacts, with the danger and the alert when they fit; the rest
waits for MORE.

The fitting rule drops what matters least until the text fits: first the
least relevant other contacts, then the list of sources. An urgent answer
then gives up the guidance and its notes, then its later steps (one step at
the least), so that the urgent contacts are never cut off. The danger, the
alert and the notice always stay; a hard cut after the last whole cited sentence or line is the last
resort, never through a sentence or a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.advisor.check import phones_in
from bot.advisor.models import Answer, Citation, ReferralOut, Sentence
from bot.advisor.strings import Strings
from bot.channels.commands import KINDS
from bot.channels.render.contacts import format_contact, reach_rank, reachable_first
from bot.channels.render.limits import (
    SMS_URGENT_SEGMENTS,
    prefix,
    sms_part_limit,
    sms_units,
    utf16_units,
)
from bot.channels.render.profiles import Profile
from bot.knowledge.models import NAMED_KINDS
from bot.text.sentences import split_sentences

SHORT_NAME = 40
ORDER = ("danger", "alert", "intro", "steps", "urgent", "notes", "caveat", "body", "sources",
         "contacts", "notice")
# Commands as the assistant's texts name them ("Send CONTACTS ..."): shown only where
# the user can send them.
COMMAND_WORDS = frozenset(kind.upper() for kind in KINDS)
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")


def short_name(title: str, limit: int = SHORT_NAME) -> str:
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0] or title[:limit]
    return cut.rstrip(" ,;:-") + "…"


def site(url: str | None) -> str | None:
    """The site a source is on ("themoscowtimes.com"), never its path: on a phone a
    commander may check, a news address's path is a headline our editors did not write
    ("...-deserters-surrender-..."). The full address is in the answer's JSON, on the
    caseworkers' page and in the web answer."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def cited(s: Sentence) -> str:
    return s.text + ("" if not s.cites else " " + "".join(f"[{n}]" for n in s.cites))


def without_command_hints(text: str) -> str:
    """``text`` without the sentences that tell the user to send a command."""
    sentences = split_sentences(text)
    kept = [s for s in sentences if not COMMAND_WORDS & set(_CAPITALS.findall(s))]
    return text if len(kept) == len(sentences) else " ".join(kept)


def _by_document(citations: Sequence[Citation]) -> list[tuple[str, Citation]]:
    """One entry per document (two sections of one guide are one source to a reader),
    with the numbers that cite it: ("1, 3", citation)."""
    groups: dict[tuple[str, str | None], list[Citation]] = {}
    for c in citations:
        groups.setdefault((c.title, c.url), []).append(c)
    return [(", ".join(str(c.n) for c in group), group[0]) for group in groups.values()]


def _sources(citations: Sequence[Citation], p: Profile, strings: Strings, lang: str) -> str:
    if not citations or p.sources == "none":
        return ""
    heading = strings.get("sources", lang)
    if p.sources == "inline":
        return f"{heading}: " + "; ".join(f"[{ns}] {short_name(c.title, 30)}"
                                          for ns, c in _by_document(citations))
    lines = [p.heading(heading)]
    if p.sources == "short":
        for ns, c in _by_document(citations):
            where = site(c.url)
            lines.append(f"{ns}. {short_name(c.title)}" + (f" ({where})" if where else ""))
        return "\n".join(lines)
    for c in citations:
        where = f"{c.title} - {c.section}" if c.section != c.title else c.title
        lines.append(f"[{c.n}] {where}" + (f" {c.url}" if c.url else ""))
    return "\n".join(lines)


def contact_lines(referrals: Sequence[ReferralOut], p: Profile, strings: Strings,
                  lang: str) -> list[str]:
    """The contacts as the profile prints them, in the order it shows them. On a phone
    (WhatsApp, SMS) one with no way to reach it is left out: a bare name, or a name and
    opening hours, is nothing to call. WhatsApp keeps an embassy or a home government
    entry, whose name says where to turn or to find the number; the web page shows every
    card with its notes."""
    ordered = reachable_first(referrals) if p.reachable_first else list(referrals)
    if p.contact == "reach":
        ordered = [r for r in ordered if reach_rank(r) < 3]
    elif p.contact == "block":
        ordered = [r for r in ordered if reach_rank(r) < 3 or r.kind in NAMED_KINDS]
    return [format_contact(r, p.contact, strings, lang) for r in ordered]


def until_then(answer: Answer, steps: bool, calls: bool) -> str:
    """What to do until a caseworker reads the message, pointing only to what follows it
    in the same message: ``steps`` and/or numbers to ``calls``; "" for neither."""
    key = "both" if steps and calls else "steps" if steps else "calls" if calls else ""
    return answer.until_then.get(key, "") if key else ""


def _sections(answer: Answer, p: Profile, strings: Strings) -> tuple[dict[str, str], list[str]]:
    """The answer's sections for the profile (the alert without what to do until then),
    and the other contacts' lines."""
    lang = answer.language
    n_urgent = answer.urgent_referrals if answer.status == "answered" else 0
    urgent = contact_lines(answer.referrals[:n_urgent], p, strings, lang)
    others = contact_lines(answer.referrals[n_urgent:], p, strings, lang)
    if not p.other_contacts:
        others = []
    intro = answer.intro if p.commands else without_command_hints(answer.intro)
    alert = answer.alert if p.commands else without_command_hints(answer.alert)
    sections = {
        "danger": answer.danger,
        "alert": alert,
        "caveat": answer.caveat,
        "intro": intro,
        "steps": "\n".join(f"{i}. {cited(s)}" for i, s in enumerate(answer.steps, start=1)),
        "urgent": p.contact_separator.join(
            [p.heading(strings.get("urgent_contacts", lang)), *urgent]) if urgent else "",
        "notes": "\n".join(answer.notes),
        "body": " ".join(cited(s) for s in answer.sentences),
        "sources": _sources(answer.citations, p, strings, lang),
        "notice": answer.notice,
    }
    return sections, others


def _with(alert: str, then: str) -> str:
    return " ".join(x for x in (alert, then) if x)


def layout_answer(answer: Answer, p: Profile, strings: Strings) -> str:
    """The answer's text for the profile, within ``p.max_units``."""
    sections, others = _sections(answer, p, strings)
    heading = p.heading(strings.get("contacts", answer.language))
    then = until_then(answer, bool(sections["steps"]), bool(phones_in(sections["urgent"])))
    if then:
        pointed = dict(sections, alert=_with(sections["alert"], then))
        text = fit_sections(pointed, others, heading, p.contact_separator, p.max_units)
        # The last-resort cut may have lost what it points to: then it points to nothing.
        first_step = sections["steps"].split("\n")[0]
        if first_step in text and sections["urgent"] in text:
            return text
        sections = dict(sections, alert=_with(sections["alert"], until_then(
            answer, first_step in text, bool(sections["urgent"]) and sections["urgent"] in text)))
    return fit_sections(sections, others, heading, p.contact_separator, p.max_units)


def sms_urgent_lead(answer: Answer, p: Profile, strings: Strings,
                    more_hint: str) -> tuple[str, str]:
    """An urgent SMS answer as (its first message, the rest for MORE), when it has a step
    or an urgent contact: the first message holds the first step and the urgent contacts,
    with the danger and then the alert when the message stays within its segments (the
    alert pointing to nothing: what it would point to is above it). Else ("", the text)."""
    sections, others = _sections(answer, p, strings)
    steps = sections["steps"].split("\n") if sections["steps"] else []
    core = [x for x in (steps[0] if steps else "", sections["urgent"]) if x]
    if not answer.urgent or not core:
        return "", layout_answer(answer, p, strings)
    header = sections["danger"] or sections["intro"]
    alert = sections["alert"]
    # Room for the notice and the more hint within the answer's limit.
    room = p.max_units - utf16_units(sections["notice"]) - utf16_units(more_hint) - 4
    leads = ["\n\n".join(x for x in parts if x)
             for parts in ([header, *core, alert], [*core, alert], [header, *core], core)]
    leads = [x for x in leads if utf16_units(x) <= room]
    lead = next((x for x in leads if sms_units(x + "\n" + more_hint) <= sms_part_limit(
        x + "\n" + more_hint, SMS_URGENT_SEGMENTS)), leads[-1] if leads else "")
    if not lead:  # a step longer than a message: the one fitting rule, then MORE
        return "", layout_answer(answer, p, strings)
    rest = dict(sections, danger="", intro="", steps="\n".join(steps[1:]), urgent="",
                alert="" if alert and alert in lead else alert)
    text = fit_sections(rest, others, p.heading(strings.get("contacts", answer.language)),
                        p.contact_separator, max(p.max_units - utf16_units(lead), 0))
    return lead, text


def fit_sections(sections: dict[str, str], contacts: list[str], heading: str,
                 separator: str, max_units: int) -> str:
    """Join the sections in ``ORDER``, dropping what matters least until the text fits."""
    steps = sections["steps"].split("\n") if sections.get("steps") else []

    def join(n: int, with_sources: bool, with_body: bool = True,
             n_steps: int = len(steps)) -> str:
        parts = dict(sections)
        parts["contacts"] = separator.join([heading, *contacts[:n]]) if n else ""
        if not with_sources:
            parts["sources"] = ""
        if not with_body:
            parts["body"] = parts["notes"] = parts["caveat"] = ""
        parts["steps"] = "\n".join(steps[:n_steps])
        return "\n\n".join(parts[k] for k in ORDER if parts.get(k))

    attempts = [*((n, True) for n in range(len(contacts), -1, -1)), (0, False)]
    text = ""
    for n, with_sources in attempts:
        text = join(n, with_sources)
        if utf16_units(text) <= max_units:
            return text
    if steps:  # first steps outlast guidance, sources and contacts (an urgent SMS's
        # rest has its steps but not its urgent contacts: those went first)
        for n_steps in range(len(steps), 0, -1):
            text = join(0, False, with_body=False, n_steps=n_steps)
            if utf16_units(text) <= max_units:
                return text
    tail = sections.get("notice", "")
    head = prefix(text, max(max_units - utf16_units(tail) - 2, 0))
    # Cut after the last whole cited sentence ("... [n]") or whole line, never
    # through a sentence or a phone number.
    cut = max(head.rfind("]") + 1, head.rfind("\n"))
    if cut > 0:
        head = head[:cut]
    return head.rstrip() + "\n\n" + tail if tail else head.rstrip()
