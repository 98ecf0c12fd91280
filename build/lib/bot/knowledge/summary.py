"""One line about a knowledge folder: what it holds and how many problems it has.

Printed by ``bot knowledge check`` and shown on the editors' knowledge page.
"""

from __future__ import annotations

from bot.knowledge.models import Knowledge


def summary(knowledge: Knowledge, more_warnings: int = 0) -> str:
    docs = knowledge.documents
    published = len(knowledge.published)
    langs = len({d.lang for d in docs})
    return (
        f"{len(docs)} documents ({published} published, {len(docs) - published} drafts) "
        f"in {langs} languages, {len(knowledge.referrals)} referrals: "
        f"{len(knowledge.errors)} errors, {len(knowledge.warnings) + more_warnings} warnings"
    )
