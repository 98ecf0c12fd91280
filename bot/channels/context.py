"""What a channel needs from the running service, in one object built once by the app.

The app's lifespan opens the database and starts loading the runtime, then
hands both to the channels through a ``ChannelContext``; a test builds one
around the session's runtime and a temporary database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from bot.advisor.runtime import Runtime
from bot.advisor.strings import Strings, load_strings
from bot.channels.commands import Commands, load_commands
from bot.channels.contacts import ContactBook
from bot.channels.conversation.words import DialogueWords, load_dialogue
from bot.channels.render import Profile, profile
from bot.config import Settings, prompts_dir
from bot.store import Database


class RuntimeSource(Protocol):
    """Where the assistant is: ``current()`` is None while it loads (``RuntimeLoader``)."""

    def current(self) -> Runtime | None: ...


@dataclass
class ChannelContext:
    settings: Settings
    runtime: RuntimeSource
    database: Database | None  # None when it cannot be opened: replies carry contacts only
    strings: Strings  # the assistant's words (prompts/strings)
    commands: Commands  # keywords and replies (prompts/commands)
    contacts: ContactBook  # contacts outside an answer
    dialogue: DialogueWords  # the welcome, the menu, the words of greetings (prompts/dialogue)

    @classmethod
    def create(cls, settings: Settings, runtime: RuntimeSource,
               database: Database | None) -> ChannelContext:
        prompts = prompts_dir(settings)
        return cls(settings, runtime, database, load_strings(prompts / "strings"),
                   load_commands(prompts), ContactBook(runtime, settings.knowledge_dir),
                   load_dialogue(prompts))

    def profile(self, channel: str | None) -> Profile:
        """The channel's profile with this service's settings (BOT_SMS_FOLD_ACCENTS)."""
        p = profile(channel)
        return replace(p, fold_accents=self.settings.sms_fold_accents) if p.gsm7 else p
