"""Channels translate, the core decides: each turns its input into a ``Question`` and
renders the advisor's ``Answer`` once, through ``render/``.

    render/     the one render path: profiles, the fitting rule, contacts, limits
    answers.py  the answer object of the API and ``bot ask``
    commands.py conversation commands (HELP, CONTACTS, LANG, MORE, AGENT, DELETE, STOP)
    contacts.py contacts outside an answer; context.py what a channel gets from the app
    twilio/     WhatsApp and SMS: inbound handling, dialogue, answering, delivery
"""
