"""The app's screens. Every screen but the home screen declares ``CSS_PATH = SCREENS_CSS``:
their styles are read when the first of them opens, not before the first frame."""

from pathlib import Path

SCREENS_CSS = Path(__file__).resolve().parent.parent / "screens.tcss"
