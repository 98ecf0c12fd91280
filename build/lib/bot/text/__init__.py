"""Shared text vocabulary, with no dependency but the standard library.

One home for each concept several layers need: where sentences end
(``sentences``), the patterns of contacts and legal references
(``patterns``), and the languages the assistant speaks (``languages``).
"""
