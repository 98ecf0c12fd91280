"""The welcome and the menu of common situations, as text in the user's language.

    Hello. This is a free and confidential helpline ... (what the service is)
    Send DELETE at any time to erase everything we keep about you.

    What is happening? Reply with a number:
    1. Someone is pushing me to sign a contract
    ...
    7. Something else

    In danger right now? Write what is happening, or send CONTACTS ...

Short on purpose: a greeting never gets guidance, only what the service is and
how to say what is wrong. After thanks, or later in a conversation, the
welcome's first lines give way to one short line.
"""

from __future__ import annotations

from typing import Literal

from bot.channels.conversation.words import DialogueWords

Opening = Literal["welcome", "again", "thanks", "off_topic"]


def menu_text(words: DialogueWords, lang: str | None, compact: bool = False) -> str:
    """The menu; ``compact`` (SMS, paid per segment): its short items (``menu_sms``)."""
    menu = words.compact_menu(lang) if compact else words.menu(lang)
    items = "\n".join(f"{n}. {item}" for n, item in enumerate(menu, start=1))
    return f"{words.text('menu_intro', lang)}\n{items}"


def welcome_text(words: DialogueWords, lang: str | None, opening: Opening = "welcome", *,
                 erase_line: bool = True, commands: bool = False,
                 compact: bool = False) -> str:
    """The welcome (``opening``: first words, a greeting mid-conversation, thanks, a
    message about something else), the menu and the line for danger now; ``commands``
    adds the list of commands (HELP); ``compact``: the SMS's short texts."""
    sms = "_sms" if compact else ""
    if opening == "thanks":
        head = words.text("thanks_reply", lang)
    elif opening == "off_topic":
        head = words.text("off_topic", lang)
    elif opening == "again":
        head = words.text("erase_line", lang) if erase_line else ""
    else:
        head = words.text("welcome" + sms, lang)
        if erase_line:
            head += " " + words.text("erase_line", lang)
    blocks = [head, menu_text(words, lang, compact), words.text("danger" + (sms or "_line"),
                                                                 lang)]
    if commands:
        blocks.append(words.text("commands_line", lang))
    return ("\n" if compact else "\n\n").join(b for b in blocks if b)
