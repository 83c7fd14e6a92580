"""Reading a search box (issue 21): numbers as people copy them from emails, receipts, labels and our pages."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from carriers.base import InvalidNumber
from carriers.detect import COURIERPOST_TICKET, DHL_PACKAGE_ID, IMPB, S10, normalize_number
from carriers.search_text import search_entries


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        # The issue's own examples: typed the way our page prints them, pasted with a label, with a full stop.
        ("LB 123 456 785 EE", ["LB123456785EE"]),
        ("GM29 5117 4940 1107 6415", ["GM295117494011076415"]),
        ("Tracking number: LB123456785EE", ["LB123456785EE"]),
        ("RR204817360LV.", ["RR204817360LV"]),
        # Lower case, dashes, other dashes, groups in fours, a label without a colon, brackets and quotes.
        ("lb 123 456 785 ee", ["LB123456785EE"]),
        ("LB-123-456-785-EE", ["LB123456785EE"]),
        ("LB–123–456–785–EE", ["LB123456785EE"]),  # en dashes, as word processors type them
        ("LB 123-456-785 EE", ["LB123456785EE"]),
        ("9261 2903 5731 1200 1745 26", ["9261290357311200174526"]),
        ("7720 4198 3650 0214 AKL0 03CP", ["7720419836500214AKL003CP"]),  # how our page used to print it
        ("Tracking no. (LB 123 456 785 EE)", ["LB123456785EE"]),
        ("“CL092594238NZ”", ["CL092594238NZ"]),
        ("Track & Trace: 3616060010051511AKL005AS", ["3616060010051511AKL005AS"]),
        ("Zendingnummer:ce310477291fi", ["CE310477291FI"]),
        ("Parcel PARCEL-NR-1.", ["PARCEL-NR-1"]),
    ],
)
def test_search_entries_take_numbers_as_people_paste_them(text, entries):
    assert [normalize_number(entry) for entry in search_entries(text)] == entries


@pytest.mark.parametrize(
    "number",
    ["ORDER-58213-B", "PARCEL-NR-1", "SHOP-ORDER_1234", "PPL250113000417", "482913", "3616060010051511AKL005AS"],
)
def test_an_identifier_with_its_own_structure_stays_as_typed(number):
    assert search_entries(number) == [number]


def test_dashed_groups_are_joined_only_when_the_joined_text_fits_a_known_shape():
    assert search_entries("ORDER-58213-B GM-2951174940-11076415") == ["ORDER-58213-B", "GM295117494011076415"]
    # Pace job numbers are any 5 to 8 digits: too loose a shape to join groups into.
    assert search_entries("482-913") == ["482-913"]
    assert search_entries("482 913") == ["482", "913"]


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("LB123456785EE RR204817360LV", ["LB123456785EE", "RR204817360LV"]),
        ("LB 123 456 785 EE RR 204 817 360 LV", ["LB123456785EE", "RR204817360LV"]),
        # Two IMpbs in fours: 26 digits would fit too, but leave the rest of the second one stranded.
        (
            "9261 2903 5731 1200 1745 26 9200 1903 0630 1100 0000 00",
            ["9261290357311200174526", "9200190306301100000000"],
        ),
        # A 22-digit IMpb, then a 26-digit one: 26 + 22 fits too, but only by gluing across the first one's short end.
        (
            "0000 0000 0000 0000 0000 00 1111 1111 1111 1111 1111 1111 11",
            ["0000000000000000000000", "11111111111111111111111111"],
        ),
        # A GM number and an IMpb, both in fours (our page's old print): GM takes any number of digits.
        ("GM29 5117 4940 1107 6415 9261 2903 5731 1200 1745 26", ["GM295117494011076415", "9261290357311200174526"]),
        # Each a number on its own: 30 digits would be an IMpb, GM plus 16 digits a DHL id.
        ("1234567890 92612903573112001745", ["1234567890", "92612903573112001745"]),
        ("GM12345678 9012345678901234", ["GM12345678", "9012345678901234"]),
        ("12345678 9261 2903 5731 1200 1745 26", ["12345678", "9261290357311200174526"]),
    ],
)
def test_two_numbers_on_one_line_are_never_glued_together(text, entries):
    assert search_entries(text) == entries


def test_new_lines_commas_and_semicolons_separate_entries_and_groups_never_join_across_them():
    assert search_entries("LB 123\n456 785 EE") == ["LB", "123", "456", "785", "EE"]
    assert search_entries("CL092594238NZ,LB123456785EE;RR204817360LV\r\n482913") == [
        "CL092594238NZ",
        "LB123456785EE",
        "RR204817360LV",
        "482913",
    ]


def test_labels_are_dropped_only_beside_a_number():
    assert search_entries("Tracking number LB123456785EE") == ["LB123456785EE"]
    assert search_entries("Tracking number") == ["Tracking", "number"]  # named as not numbers, or searched
    assert search_entries("Tracking number:") == []
    assert search_entries("CL092594238NZ AB") == ["CL092594238NZ", "AB"]  # not a label: named as not a number


def test_punctuation_is_dropped_only_where_what_is_left_is_a_number():
    assert search_entries("<b>x</b>") == ["<b>x</b>"]  # named as typed
    assert search_entries("AB <script>alert(1)</script>") == ["AB", "<script>alert(1)</script>"]
    assert search_entries("# — …") == []


@pytest.mark.parametrize(
    "text",
    [
        "СL092594238NZ.",  # a Cyrillic С: letters are never stripped, so the look-alike stays rejected
        "(CL0925\x0094238NZ)",
        "CL09259423８NZ\u200bX",
    ],
)
def test_look_alikes_and_controls_inside_a_number_stay_rejected(text):
    (entry,) = search_entries(text)
    with pytest.raises(InvalidNumber):
        normalize_number(entry)


# Property tests: the numbers we accept, written the ways people have them.

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
shaped_numbers = st.one_of(
    st.from_regex(r"[A-Z]{2}[0-9]{9}[A-Z]{2}", fullmatch=True),  # UPU S10, check digit right or wrong
    st.from_regex(r"[0-9]{16}[A-Z]{3}[0-9]{3}[A-Z]{2}", fullmatch=True),  # CourierPost ticket
    # DHL GM ids as long as they come; a GM id long enough to hold an IMpb after it reads as two numbers in fours.
    st.from_regex(r"GM[0-9]{10,18}", fullmatch=True),
    st.sampled_from([20, 22, 26, 30, 34]).flatmap(lambda length: st.from_regex(rf"[0-9]{{{length}}}", fullmatch=True)),
)


def has_own_structure(number: str) -> bool:
    """A number with no known shape that people write as it is: a digit in it, and any dashes its own (not
    short groups, and not a known shape once the dashes are gone, or we would read it as that shape)."""
    groups = number.split("-")
    dashes_are_its_own = len(groups) == 1 or (
        any(len(group) > 4 for group in groups) and not any(shape.fullmatch("".join(groups)) for shape in SHAPES)
    )
    return any(character.isdigit() for character in number) and dashes_are_its_own


SHAPES = (S10, COURIERPOST_TICKET, DHL_PACKAGE_ID, IMPB)
own_structure_numbers = st.one_of(
    st.from_regex(r"[0-9]{5,8}", fullmatch=True),  # Pace jobs
    st.sampled_from(["ORDER-58213-B", "PARCEL-NR-1", "PPL250113000417", "SHOP-ORDER_1234"]),
    st.from_regex(r"[A-Z0-9][A-Z0-9_-]{3,38}[A-Z0-9]", fullmatch=True).filter(has_own_structure),
)
accepted_numbers = st.one_of(shaped_numbers, own_structure_numbers)


def in_groups(number: str, sizes: list[int]) -> list[str]:
    groups, start = [], 0
    for size in sizes:
        groups.append(number[start : start + size])
        start += size
    return [group for group in groups if group] + ([number[start:]] if number[start:] else [])


@st.composite
def grouped(draw, number: str) -> str:
    """The number in the groups people copy: its format's own (S10 2-3-3-3-2), fours or threes, joined by spaces,
    dashes or both."""
    size = draw(st.sampled_from([3, 4]))
    sizes = [2, 3, 3, 3, 2] if S10.fullmatch(number) and draw(st.booleans()) else [size] * len(number)
    groups = in_groups(number, sizes)
    separators = draw(
        st.lists(st.sampled_from([" ", "-", " - ", "–", "  "]), min_size=len(groups), max_size=len(groups))
    )
    return "".join(group + separator for group, separator in zip(groups, separators, strict=True)).rstrip(" -–")


@st.composite
def written(draw, number: str) -> str:
    """A number as pasted: maybe in lower case, grouped if its shape is known, with a label or punctuation around."""
    text = draw(grouped(number)) if any(shape.fullmatch(number) for shape in SHAPES) and draw(st.booleans()) else number
    text = text.lower() if draw(st.booleans()) else text
    before = draw(
        st.sampled_from(
            [
                "",
                "Tracking number: ",
                "Tracking number ",
                "Track & Trace: ",
                "Zendingnummer:",
                "(",
                "“",
                "#",
                "No. ",
                "  ",
            ]
        )
    )
    after = draw(st.sampled_from(["", ".", ")", "”", "!", " ", "\n"]))
    return before + text + after


@given(st.data(), accepted_numbers)
def test_any_number_we_accept_written_as_people_have_it_reads_as_itself(data, number):
    text = data.draw(written(number))
    assert [normalize_number(entry) for entry in search_entries(text)] == [number], text


def printed(number: str) -> str:
    """As our pages print it (and copy it): S10 in its groups, an IMpb in fours, anything else whole."""
    if S10.fullmatch(number):
        return " ".join(in_groups(number, [2, 3, 3, 3, 2]))
    if IMPB.fullmatch(number):
        return " ".join(in_groups(number, [4] * 9))
    return number


@given(accepted_numbers, accepted_numbers, st.booleans(), st.booleans(), st.sampled_from(["", "Tracking numbers: "]))
def test_two_different_numbers_on_one_line_are_never_glued_together(first, second, print_first, print_second, label):
    assume(first != second)
    text = f"{label}{printed(first) if print_first else first} {printed(second) if print_second else second}."
    assert [normalize_number(entry) for entry in search_entries(text)] == [first, second], text
