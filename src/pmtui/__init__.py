"""pmtui: run blameless postmortem reviews from the terminal."""

__version__ = "0.1.0"
