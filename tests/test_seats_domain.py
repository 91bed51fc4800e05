"""Seats without a screen: roles, who may move the meeting, the presence line, keep both."""

from pmtui.seats import keep_both, may_move_meeting, normal_role, presence_line, role_of

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
