"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Layout of the 18 characters, each from the 31-character alphabet
``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, Z, S, V):

=========  ===================================================================
position   meaning
=========  ===================================================================
1          registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, …):
           a digit 1-9 or one of the letters A, N, Y
2          organisation category within that authority: a digit 1-9
3-8        administrative division code: 6 digits
9-17       organisation code (GB 11714): 8 characters and its check digit
18         check character over positions 1-17
=========  ===================================================================

Two check characters are enforced:

* position 18, over positions 1-17 with weights 3**(i-1) mod 31
  (1, 3, 9, 27, 19, 26, 16, 17, …, 28) on alphabet values:
  ``C18 = 31 - sum % 31``, with 31 written as ``0``;
* position 17, the GB 11714 organisation-code check digit over positions 9-16
  with weights 3, 7, 9, 10, 5, 8, 4, 2 on values 0-9 for digits and 10-35 for
  A-Z: ``C = 11 - sum % 11``, with 10 written as ``X`` and 11 as ``0``.

Every code issued under the standard embeds a valid organisation code, so a
failure of the inner digit means a mistyped code; the message says which check
failed so a user can tell the two apart. The outer check character is tested
first because it covers all seventeen positions.
"""
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_AUTHORITIES = frozenset("123456789ANY")
_CATEGORIES = frozenset("123456789")
LENGTH = 18


def normalize(code: object) -> str:
    """Strip all whitespace and upper-case; the form in which codes are stored."""
    return "".join(str(code or "").split()).upper()


def check_character(prefix17: str) -> str:
    """The GB 32100 check character (position 18) for 17 alphabet characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(prefix17, _WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31]


def organization_check_digit(body8: str) -> str:
    """The GB 11714 check digit for the 8 characters of an organisation code."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=False))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _shape_problem(code: str, length: int) -> "Reason | None":
    """Reason the first `length` characters break the layout, or None."""
    for pos, ch in enumerate(code[:length], start=1):
        if ch not in _VALUE:
            return _reason(N_("character '%(char)s' at position %(pos)d is not allowed"), char=ch, pos=pos)
    if code[0] not in _AUTHORITIES:
        return _reason(N_("position 1 (registration authority) cannot be '%(char)s'"), char=code[0])
    if length > 1 and code[1] not in _CATEGORIES:
        return _reason(N_("position 2 (organisation category) must be a digit 1-9, not '%(char)s'"), char=code[1])
    for pos in range(3, min(length, 8) + 1):
        if not code[pos - 1].isdigit():
            return _reason(N_("positions 3-8 (administrative division) must be digits; position %(pos)d is "
                              "'%(char)s'"), pos=pos, char=code[pos - 1])
    if length >= 17 and code[16] not in "0123456789X":
        return _reason(N_("position 17 (organisation code check digit) must be a digit or 'X', not '%(char)s'"),
                       char=code[16])
    return None


class Reason(str):
    """Why a code is not valid: the English text, with the template and values it was made
    from, so that the layer that knows the user's language can translate it."""
    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any]) -> "Reason":
        reason = super().__new__(cls, template % params)
        reason.template, reason.params = template, params
        return reason


def N_(template: str) -> str:
    """Marks a message for extraction into the translation catalogue (pybabel's N_ keyword)."""
    return template


def _reason(template: str, **params: Any) -> Reason:
    return Reason(template, params)


def validate_credit_code(code: object) -> Reason | None:
    """None when `code` is a valid unified social credit code, else a short English `Reason`."""
    code = normalize(code)
    if len(code) != LENGTH:
        return _reason(N_("must be %(length)d characters (got %(got)d)"), length=LENGTH, got=len(code))
    problem = _shape_problem(code, LENGTH)
    if problem:
        return problem
    expected = check_character(code[:17])
    if code[17] != expected:
        return _reason(N_("check character should be '%(char)s'"), char=expected)
    inner = organization_check_digit(code[8:16])
    if code[16] != inner:
        return _reason(N_("organisation code check digit at position 17 should be '%(char)s' (GB 11714)"),
                       char=inner)
    return None


def is_valid_credit_code(code: object) -> bool:
    return validate_credit_code(code) is None


def make_credit_code(prefix17: object) -> str:
    """Append the check character to the first 17 characters of a code.

    For demo data: given 16 characters the GB 11714 digit is computed as well.
    Raises ValueError when the result would not be a valid code.
    """
    prefix = normalize(prefix17)
    if len(prefix) == 16:
        problem = _shape_problem(prefix, 16)
        if problem:
            raise ValueError(problem)
        prefix += organization_check_digit(prefix[8:16])
    if len(prefix) != 17:
        raise ValueError(f"need the first 17 (or 16) characters, got {len(prefix)}")
    problem = _shape_problem(prefix, 17)
    if problem:
        raise ValueError(problem)
    code = prefix + check_character(prefix)
    problem = validate_credit_code(code)
    if problem:
        raise ValueError(problem)
    return code
