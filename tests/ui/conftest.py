"""The UI tests' shared fixtures: two seats (two apps, each with its own store) on the
database the test module's ``backend`` chooses (tests/ui/test_seats.py and the modules
that drive two seats run on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from ui.test_seats import Seats


@pytest.fixture
def seats(store, demo, db_url):
    s = Seats(db_url, demo)
    yield s
    s.close()
