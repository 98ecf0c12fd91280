"""The Twilio channel: WhatsApp and SMS.

Only ``signature.py`` and ``sender.py`` import the ``twilio`` library; the rest
speaks the project's own types (webhook fields, outcomes, text parts).
"""
