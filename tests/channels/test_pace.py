"""The rate-limit policy (issue 13): panic is never silenced, a flood is."""

from __future__ import annotations

from bot.channels.twilio.pace import MemoryRateStore, Pace


def pace(now: list[float], **kw: int) -> Pace:
    values = dict(per_minute=2, per_day=100, flood_per_minute=5)
    values.update(kw)
    return Pace(MemoryRateStore(), pause=600, clock=lambda: now[0], **values)


def test_answered_questions_count_not_messages() -> None:
    now = [1000.0]
    p = pace(now)
    for i in range(5):  # five fragments or greetings: no question answered yet
        assert p.arrive("a", f"m{i}").verdict == "ok"
    assert p.may_answer("a") == "ok"
    p.answered("a")
    p.answered("a")
    assert p.may_answer("a") == "limited"  # one polite reply...
    assert p.may_answer("a") == "silent"  # ...then quiet
    now[0] += 61
    assert p.may_answer("a") == "ok"


def test_the_first_message_after_a_pause_is_answered_whatever_the_counts() -> None:
    now = [1000.0]
    p = pace(now, per_day=2)
    p.answered("a")
    p.answered("a")
    now[0] += 3600
    arrival = p.arrive("a", "late")
    assert arrival.after_pause and p.may_answer("a", arrival.after_pause) == "ok"
    now[0] += 2
    assert not p.arrive("a", "next").after_pause


def test_a_flood_is_stopped_once_and_a_redelivery_is_not_counted() -> None:
    now = [1000.0]
    p = pace(now)
    verdicts = [p.arrive("a", f"m{i}").verdict for i in range(8)]
    assert verdicts == ["ok"] * 5 + ["limited", "silent", "silent"]
    assert p.arrive("a", "m0").verdict == "ok"  # Twilio retrying the same MessageSid
    assert p.arrive("b", "m0").verdict == "ok"  # another sender
