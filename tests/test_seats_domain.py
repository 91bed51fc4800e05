"""Seats without a screen: roles, who may move the meeting, the presence line, keep both."""

from pmtui.domain.seats import keep_both, may_move_meeting, normal_role, presence_line, role_of

PEOPLE = [{"name": "Amara Okafor", "role": "Facilitator"}, {"name": "Jonas Weber", "role": "note taker"},
          {"name": "Lena Fischer", "role": "incident commander"}]


def test_roles_from_the_participants_list():
    assert role_of(PEOPLE, " amara  okafor") == "facilitator"
    assert role_of(PEOPLE, "Jonas Weber") == "note-taker"
    assert role_of(PEOPLE, "Lena Fischer") == "participant"
    assert role_of(PEOPLE, "Someone Else") == "participant"
    assert normal_role("Note-Taker") == "note-taker"


def test_only_a_facilitator_moves_the_meeting_and_the_others_are_told_who_can():
    assert may_move_meeting(PEOPLE, "Amara Okafor") == (True, "")
    ok, why = may_move_meeting(PEOPLE, "Jonas Weber")
    assert not ok and "Only the facilitator (Amara Okafor)" in why and "this seat is Jonas Weber" in why
    ok, why = may_move_meeting(PEOPLE, "")
    assert not ok and "no name yet" in why
    assert may_move_meeting([{"name": "Jonas Weber", "role": "note-taker"}], "Jonas Weber")[0]  # nobody facilitates


def test_presence_line_orders_by_role_and_counts_the_rest():
    seats = [{"name": "Lena Fischer", "role": "participant"}, {"name": "Jonas Weber", "role": "note-taker"},
             {"name": "Amara Okafor", "role": "facilitator"}, {"name": "Ravi Menon", "role": "participant"},
             {"name": "Amara Okafor", "role": "facilitator"}]
    assert presence_line(seats) == "Amara Okafor · facilitating  Jonas Weber · notes  +2"
    assert presence_line([]) == ""


def test_keep_both_drops_nothing():
    assert keep_both("mine", "theirs") == "theirs\nmine"
    assert keep_both("mine", "theirs", " / ") == "theirs / mine"
    assert keep_both("same", " same ") == "same"
    assert keep_both("", "theirs") == "theirs" and keep_both("mine", "") == "mine"


def test_keep_both_keeps_the_longer_text_when_it_holds_the_other():
    # the note-taker added a sentence while the facilitator fixed nothing: no doubled text
    assert keep_both("The cache was cold. Warm-up ran late.", "The cache was cold.") == \
        "The cache was cold. Warm-up ran late."
    assert keep_both("The cache was cold", "The cache was cold.") == "The cache was cold."
    # a word changed inside: both stay whole, nothing is dropped
    assert keep_both("The cache was cold", "The cache was warm") == "The cache was warm\nThe cache was cold"


def test_the_header_fits_its_width_and_cuts_no_word():
    """The header line (title — section · presence) fits 80, 100 and 160 columns: names
    shorten and collapse into +N before anything is cut, and never inside a word."""
    from rich.cells import cell_len

    from pmtui.domain.seats import HEADER_CHROME, fit_header

    seats = [{"name": "Lena Fischer", "role": "participant"}, {"name": "Jonas Weber", "role": "note-taker"},
             {"name": "Amara Okafor", "role": "facilitator"}, {"name": "Ravi Menon", "role": "participant"}]
    title = "Checkout latency after cache configuration deploy"
    lines = {}
    for width in (80, 100, 160):
        t, sub = fit_header(title, "Timeline", seats, width, extra=("2026-03-10-checkout-latency",))
        line = f"{t} — {sub}"
        assert cell_len(line) <= width - HEADER_CHROME, (width, line)
        assert t == title or (t.endswith("…") and title.startswith(t[:-1]) and title[len(t) - 1] == " "), t
        lines[width] = sub
    assert lines[160] == "Timeline · Amara Okafor · facilitating  Jonas Weber · notes  +2"
    assert lines[100] == "Timeline · Amara O. · facilitating  Jonas W. · notes  +2"
    assert lines[80] == "Timeline · Amara O. · facilitating  +3"
    # wide enough: the whole title and the extra parts too
    t, sub = fit_header(title, "Timeline", seats, 220, extra=("2026-03-10-checkout-latency",))
    assert t == title and sub.endswith("+2 · 2026-03-10-checkout-latency")
    # very narrow: only how many are here
    assert fit_header(title, "Timeline", seats, 60)[1] == "Timeline · 4 here"
    assert fit_header(title, "Timeline", [], 80) == (title, "Timeline")


def test_a_seat_without_a_name_shortens_to_words():
    """Issue 28: at 80x24 the header showed '(a n. · here' for a nameless seat."""
    from pmtui.domain.seats import presence_line, short_name

    assert short_name("(a seat without a name)") == "a seat"
    line = presence_line([{"name": "(a seat without a name)", "role": "participant"}], short=True)
    assert line.startswith("a seat · ") and "(a n." not in line
