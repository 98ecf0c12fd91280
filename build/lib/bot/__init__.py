"""Advisory assistant that answers only from vetted NGO guidance, with citations and referrals."""

__version__ = "0.1.0"
