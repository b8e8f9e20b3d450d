"""citycat: the shared data catalogue registry of Hanoi."""

__version__ = "0.1.0"
