"""Unified social credit code (GB 32100-2015) validation.

The expected check characters are computed here by an independent helper that
uses the closed forms of the standard's weights (3**i mod 31 for the code,
2**(9-i) mod 11 for the GB 11714 organisation code) rather than the tables in
the module under test.
"""
import random

import pytest

from app.domain.credit_code import is_valid_credit_code, make_credit_code, normalize, validate_credit_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def independent_check_character(prefix17):
    total = sum(ALPHABET.find(ch) * pow(3, i, 31) for i, ch in enumerate(prefix17))
    return ALPHABET[-total % 31]


def independent_org_digit(body8):
    def value(ch):
        return ord(ch) - ord("0") if ch.isdigit() else ord(ch) - ord("A") + 10
    total = sum(value(ch) * pow(2, 8 - i, 11) for i, ch in enumerate(body8))
    rest = -total % 11
    return {10: "X"}.get(rest, str(rest))


def computed_code(rng):
    authority = rng.choice("1589ANY")
    category = rng.choice("123")
    division = rng.choice(["110108", "350100", "440300", "330106", "510104"])
    body = "".join(rng.choice(ORG_BODY_CHARS) for _ in range(8))
    prefix = authority + category + division + body + independent_org_digit(body)
    return prefix + independent_check_character(prefix)


COMPUTED = [computed_code(random.Random(seed)) for seed in range(40)]

# Codes as printed on business licences; each was checked against both check digits.
PUBLISHED = [
    "91350100M000100Y43",
    "914403001922038216",
    "9144030071526726XG",
    "91110108551385082Q",
    "911000001000013428",
    "91330100799655058B",
]


@pytest.mark.parametrize("code", COMPUTED + PUBLISHED)
def test_valid_codes_pass(code):
    assert validate_credit_code(code) is None
    assert is_valid_credit_code(code)


def test_independent_helper_agrees_with_published_codes():
    for code in PUBLISHED:
        assert independent_check_character(code[:17]) == code[17]
        assert independent_org_digit(code[8:16]) == code[16]


def test_computed_codes_cover_check_edge_values():
    # 'X' as the GB 11714 digit and '0' as the check character both occur somewhere.
    many = [computed_code(random.Random(seed)) for seed in range(2000)]
    assert all(is_valid_credit_code(c) for c in many)
    assert any(c[16] == "X" for c in many)
    assert any(c[17] == "0" for c in many)
    assert any(c[16] == "0" for c in many)


def test_spaces_and_lower_case_are_normalised():
    assert validate_credit_code(" 91350100m000100y43 ") is None
    assert validate_credit_code("9135 0100 M000 100Y 43") is None
    assert normalize(" 9144030071526726xg\n") == "9144030071526726XG"


@pytest.mark.parametrize("code, length", [("", 0), ("9135010", 7),
                                          ("91350100M000100Y4", 17), ("91350100M000100Y433", 19)])
def test_wrong_length(code, length):
    assert validate_credit_code(code) == f"must be 18 characters (got {length})"
    assert not is_valid_credit_code(code)


def test_none_is_invalid():
    assert validate_credit_code(None).startswith("must be 18 characters")


@pytest.mark.parametrize("bad", "IOZSV")
def test_letters_outside_the_alphabet(bad):
    code = "9135" + bad + "100M000100Y43"
    assert validate_credit_code(code) == f"character '{bad}' at position 5 is not allowed"


def test_punctuation_outside_the_alphabet():
    assert validate_credit_code("91350100M000100Y4-") == "character '-' at position 18 is not allowed"
    assert validate_credit_code("91350100M00０100Y43").startswith("character '０' at position 12")


def test_registration_authority():
    for bad in "0BX":
        prefix = bad + "1350100M000100Y4"
        assert validate_credit_code(prefix + independent_check_character(prefix)) == \
            f"position 1 (registration authority) cannot be '{bad}'"
    for authority in "1589ANY":
        prefix = authority + "1350100M000100Y4"
        assert is_valid_credit_code(prefix + independent_check_character(prefix)), authority


def test_category_and_division_must_be_digits():
    prefix = "9A350100M000100Y4"
    assert "position 2" in validate_credit_code(prefix + independent_check_character(prefix))
    prefix = "9135A100M000100Y4"
    assert "position 5" in validate_credit_code(prefix + independent_check_character(prefix))


def test_wrong_check_character():
    assert validate_credit_code("91350100M000100Y44") == "check character should be '3'"
    assert validate_credit_code("9144030071526726X0") == "check character should be 'G'"


def test_single_typo_is_caught():
    code = "914403001922038216"
    for pos in range(18):
        for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if ch == code[pos]:
                continue
            typo = code[:pos] + ch + code[pos + 1:]
            assert not is_valid_credit_code(typo), typo


def test_wrong_inner_organisation_check_digit():
    # Position 17 changed and position 18 recomputed: only GB 11714 catches it.
    prefix = "91350100M000100Y5"
    code = prefix + independent_check_character(prefix)
    assert validate_credit_code(code) == \
        "organisation code check digit at position 17 should be '4' (GB 11714)"


def test_position_17_must_be_digit_or_x():
    prefix = "91350100M000100YA"
    code = prefix + independent_check_character(prefix)
    assert "position 17" in validate_credit_code(code)


def test_made_up_code_with_plausible_shape_is_refused():
    # Looks plausible (it was suggested as an example) but fails both check characters.
    assert validate_credit_code("911100001000040123") == "check character should be 'X'"


def test_make_credit_code_appends_check_character():
    for code in COMPUTED + PUBLISHED:
        assert make_credit_code(code[:17]) == code
        assert make_credit_code(code[:16]) == code
    assert make_credit_code(" 91350100m000100y4") == "91350100M000100Y43"


@pytest.mark.parametrize("prefix, words", [
    ("9135010", "17"),
    ("91350100M000100Y43", "17"),
    ("91350100M000100I", "not allowed"),
    ("91350100M000100Y5", "GB 11714"),
    ("Z1350100M000100Y4", "not allowed"),
])
def test_make_credit_code_refuses_bad_prefixes(prefix, words):
    with pytest.raises(ValueError, match=words):
        make_credit_code(prefix)
