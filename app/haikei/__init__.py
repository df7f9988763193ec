"""Haikei (背景): a virtual webcam that blurs or replaces the background behind you."""

__version__ = "0.1.0"
