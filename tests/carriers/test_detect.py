import pytest

from carriers.base import InvalidNumber
from carriers.detect import (
    DHL_ECOMMERCE,
    NZPOST,
    POSTPLUS,
    candidate_carriers,
    normalize_number,
    s10_check_digit_fails,
    split_numbers,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cl092594238nz", "CL092594238NZ"),
        ("  GM2951173225174494  ", "GM2951173225174494"),
        ("ＣＬ０９２５９４２３８ＮＺ", "CL092594238NZ"),  # full-width look-alikes fold to ASCII
        ("shop-order_1234", "SHOP-ORDER_1234"),
    ],
)
def test_normalize_number_gives_the_canonical_form(raw, expected):
    assert normalize_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "A" * 41,
        "../etc/passwd",
        "AB%2FCD1234",
        "CL0925\x0094238NZ",
        "CL092594238NZ\r\nX-Injected: 1",
        "1 OR 1=1",
        "{{ 7*7 }}",
        "CL09259423８NZ\u200b",  # zero-width space
        "СL092594238NZ",  # Cyrillic С look-alike
        "-LEADINGHYPHEN",
        "x" * 10_000,
    ],
)
def test_normalize_number_rejects_anything_that_is_not_a_plain_number(raw):
    with pytest.raises(InvalidNumber):
        normalize_number(raw)


def test_split_numbers_accepts_spaces_commas_semicolons_and_new_lines():
    assert split_numbers("A1,B2 C3\nD4;E5\r\n\tF6,,") == ["A1", "B2", "C3", "D4", "E5", "F6"]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("CL092594238NZ", (NZPOST, POSTPLUS)),
        ("LB123456785EE", (POSTPLUS,)),
        ("3616060010051511AKL005AS", (NZPOST,)),
        ("GM2951173225174494", (DHL_ECOMMERCE,)),
        ("9261290100830000000015", (DHL_ECOMMERCE,)),
        ("00393311680005810444", (NZPOST, DHL_ECOMMERCE)),  # NZ Post's v3 sample: an SSCC with its "00"
        ("794210392715622565", (NZPOST, DHL_ECOMMERCE)),  # the same shape without it
        ("03071790000523483741", (DHL_ECOMMERCE,)),  # twenty digits without "00": a USPS barcode
        ("123521", (NZPOST, DHL_ECOMMERCE, POSTPLUS)),
        ("SHOP-ORDER-1234", (POSTPLUS, DHL_ECOMMERCE)),
    ],
)
def test_candidate_carriers_follow_number_shapes(number, expected):
    assert candidate_carriers(number) == expected


@pytest.mark.parametrize(
    ("number", "fails"),
    [
        ("LB123456785EE", False),
        ("RR204817360LV", False),
        ("CE310477291FI", False),
        ("LB123456784EE", True),  # one digit off
        ("LB123456758EE", True),  # two digits swapped
        ("CL092594238NZ", True),  # NZ Post's own published sample fails it
        ("AA000000005AA", False),  # weighted sum 0: remainder 11 means check digit 5
        ("AA000000080AA", False),  # 8 x 7 = 56 ≡ 1, 11 - 1 = 10: check digit 0
        ("AA000000010AA", True),  # 7 x 1 = 7, 11 - 7 = 4: check digit 4, not 0
        ("GM295117494011076415", False),  # not an S10 number: nothing to check
        ("482913", False),
    ],
)
def test_s10_check_digit(number, fails):
    assert s10_check_digit_fails(number) is fails
