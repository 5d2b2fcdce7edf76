"""Rostra: a self-hosted comment engine for news sites."""

__version__ = "0.1.0"
