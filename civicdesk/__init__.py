"""civicdesk: listen, sort, commit, answer, measure."""

__version__ = "0.1.0"
