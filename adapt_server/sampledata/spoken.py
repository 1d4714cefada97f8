"""Numbers, dates, phone numbers and amounts written the way people say them (pure, US English).

Every function returns lowercase words without digits, e.g. 1984 -> "nineteen eighty four",
(3, 3) -> "march third", "5552134409" -> "five five five, two one three, four four oh nine".
Callers capitalize where the spelling wants it (month names, sentence starts).
"""

from __future__ import annotations

import datetime

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_ONES = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_ORDINAL_TENS = "_ _ twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
MONTHS = (
    "january february march april may june july august september october november december"
).split()


def cardinal(number: int) -> str:
    """0 <= number < 1_000_000 -> "three hundred twelve", "forty five thousand six"."""
    if not 0 <= number < 1_000_000:
        raise ValueError(f"cardinal() supports 0..999999, got {number}")
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return _ONES[hundreds] + " hundred" + ("" if rest == 0 else " " + cardinal(rest))
    thousands, rest = divmod(number, 1000)
    return cardinal(thousands) + " thousand" + ("" if rest == 0 else " " + cardinal(rest))


def ordinal(number: int) -> str:
    """1 <= number < 100 -> "first", "twenty third", "thirtieth"."""
    if not 1 <= number < 100:
        raise ValueError(f"ordinal() supports 1..99, got {number}")
    if number < 20:
        return _ORDINAL_ONES[number]
    tens, ones = divmod(number, 10)
    if ones == 0:
        return _ORDINAL_TENS[tens]
    return _TENS[tens] + " " + _ORDINAL_ONES[ones]


def digits(text: str, zero: str = "zero") -> str:
    """A string of digits read one by one: "4409" -> "four four zero nine" (zero="oh": "four four oh nine")."""
    if not text.isdigit():
        raise ValueError(f"digits() needs only the characters 0-9, got {text!r}")
    return " ".join(zero if char == "0" else _ONES[int(char)] for char in text)


def grouped_digits(text: str, group_sizes: tuple[int, ...], zero: str = "zero") -> str:
    """Digits read in groups separated by a comma (a short pause): "45678123", (4, 4) ->
    "four five six seven, eight one two three". The group sizes must add up to len(text)."""
    if sum(group_sizes) != len(text):
        raise ValueError(f"group sizes {group_sizes} do not cover the {len(text)} digits of {text!r}")
    groups, start = [], 0
    for size in group_sizes:
        groups.append(digits(text[start : start + size], zero))
        start += size
    return ", ".join(groups)


def pair_number(number: int) -> str:
    """A number said in pairs, as years and house numbers are: 1984 -> "nineteen eighty four",
    1905 -> "nineteen oh five", 412 -> "four twelve", 207 -> "two oh seven", 38 -> "thirty eight",
    1500 -> "fifteen hundred", 2000 -> "two thousand", 2007 -> "two thousand seven"."""
    if not 0 <= number < 10_000:
        raise ValueError(f"pair_number() supports 0..9999, got {number}")
    if number < 100:
        return cardinal(number)
    if 2000 <= number < 2010 or number % 1000 == 0:
        return cardinal(number)
    high, low = divmod(number, 100)
    if low == 0:
        return cardinal(high) + " hundred"
    return cardinal(high) + " " + (cardinal(low) if low >= 10 else "oh " + _ONES[low])


def year(year_number: int) -> str:
    """1900 <= year < 2100 -> "nineteen eighty four", "two thousand three", "twenty nineteen"."""
    if not 1900 <= year_number < 2100:
        raise ValueError(f"year() supports 1900..2099, got {year_number}")
    return pair_number(year_number)


def month_day(date: datetime.date) -> str:
    """date -> "march third" (month name first, the day as an ordinal)."""
    return f"{MONTHS[date.month - 1]} {ordinal(date.day)}"


def day_of_month(date: datetime.date) -> str:
    """date -> "the third of march"."""
    return f"the {ordinal(date.day)} of {MONTHS[date.month - 1]}"


def full_date(date: datetime.date, day_first: bool = False) -> str:
    """date -> "march third, nineteen eighty four" (or "the third of march, nineteen eighty four")."""
    day = day_of_month(date) if day_first else month_day(date)
    return f"{day}, {year(date.year)}"


def phone_number(ten_digits: str, zero: str = "oh") -> str:
    """A North American number read in 3-3-4 groups: "5552134409" -> "five five five, two one three,
    four four oh nine"."""
    if len(ten_digits) != 10:
        raise ValueError(f"phone_number() needs 10 digits, got {ten_digits!r}")
    return grouped_digits(ten_digits, (3, 3, 4), zero)


def money(cents: int) -> str:
    """An amount in cents -> "forty nine dollars and ninety nine cents", "twenty dollars", "one dollar"."""
    if cents <= 0:
        raise ValueError(f"money() needs a positive amount of cents, got {cents}")
    dollars, rest = divmod(cents, 100)
    parts = []
    if dollars:
        parts.append(cardinal(dollars) + (" dollar" if dollars == 1 else " dollars"))
    if rest:
        parts.append(cardinal(rest) + (" cent" if rest == 1 else " cents"))
    return " and ".join(parts)
