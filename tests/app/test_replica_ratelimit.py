"""Two app instances on one PostgreSQL database count one sender's messages together
(issue 17): the per-minute limit holds for the service, not per replica. Before, each
process counted alone and two replicas answered twice the limit."""

from __future__ import annotations

from pathlib import Path

from bot.advisor.runtime import Runtime
from bot.channels.twilio.pace import SharedRateStore
from bot.store.ratelimits import DatabaseRateStorage
from tests.app.harness import serve, twilio_settings
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.databases import PostgresCluster

QUESTION = "They took my passport at work, what can I do?"


def test_two_replicas_share_the_rate_limit(tmp_path: Path, fake: FakeTwilio,
                                           postgres: PostgresCluster,
                                           starter_runtime: Runtime) -> None:
    url = postgres.create()
    replies: list[list[str]] = []
    try:
        settings = [twilio_settings(tmp_path / name, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                                    database_url=url, rate_limit_per_minute=3)
                    for name in ("a", "b")]
        with serve(settings[0], starter_runtime) as a, serve(settings[1], starter_runtime) as b:
            # unset BOT_RATE_LIMIT_STORAGE on PostgreSQL: the database
            store = a.context.twilio.inbound.pace.store  # type: ignore[union-attr]
            assert isinstance(store, SharedRateStore)
            assert isinstance(store.storage, DatabaseRateStorage)
            for i in range(8):
                replica = (a, b)[i % 2]
                replies.append(replica.ask(f"{QUESTION} ({i})", "+79001112233"))
            other = b.ask(QUESTION, "+79005556677")
    finally:
        postgres.drop(url)
    assert all(replies[:3]), "the first three messages are answered, on either replica"
    assert len(replies[3]) == 1 and "wait" in replies[3][0]  # one polite reply for both
    assert replies[4:] == [[]] * 4  # then silence, whichever replica gets the message
    assert other, "another sender is not affected"
