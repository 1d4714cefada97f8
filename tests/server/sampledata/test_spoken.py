import datetime

import pytest

from adapt_server.sampledata import spoken


@pytest.mark.parametrize("number, words", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (20, "twenty"), (45, "forty five"), (100, "one hundred"),
    (312, "three hundred twelve"), (1000, "one thousand"), (45006, "forty five thousand six"),
])
def test_cardinal(number, words):
    assert spoken.cardinal(number) == words


@pytest.mark.parametrize("number, words", [
    (1, "first"), (2, "second"), (3, "third"), (12, "twelfth"), (20, "twentieth"), (22, "twenty second"),
    (31, "thirty first"),
])
def test_ordinal(number, words):
    assert spoken.ordinal(number) == words


@pytest.mark.parametrize("number, words", [
    (1984, "nineteen eighty four"), (1905, "nineteen oh five"), (2000, "two thousand"),
    (2007, "two thousand seven"), (2019, "twenty nineteen"), (412, "four twelve"), (207, "two oh seven"),
    (38, "thirty eight"), (1500, "fifteen hundred"), (3000, "three thousand"),
])
def test_pair_number_reads_years_and_house_numbers_in_pairs(number, words):
    assert spoken.pair_number(number) == words


def test_dates_are_said_month_first_or_day_first():
    born = datetime.date(1984, 3, 3)
    assert spoken.full_date(born) == "march third, nineteen eighty four"
    assert spoken.full_date(born, day_first=True) == "the third of march, nineteen eighty four"
    assert spoken.month_day(datetime.date(2026, 6, 21)) == "june twenty first"


def test_phone_and_account_numbers_are_read_digit_by_digit_in_groups():
    assert spoken.phone_number("5552134409") == "five five five, two one three, four four oh nine"
    assert spoken.phone_number("5552134409", zero="zero").endswith("four four zero nine")
    assert spoken.grouped_digits("45678123", (4, 4)) == "four five six seven, eight one two three"


def test_money():
    assert spoken.money(2000) == "twenty dollars"
    assert spoken.money(4999) == "forty nine dollars and ninety nine cents"
    assert spoken.money(101) == "one dollar and one cent"


def test_out_of_range_inputs_are_refused_with_the_value():
    with pytest.raises(ValueError, match="1000000"):
        spoken.cardinal(1_000_000)
    with pytest.raises(ValueError, match="12a"):
        spoken.digits("12a")
    with pytest.raises(ValueError, match="cover"):
        spoken.grouped_digits("1234", (3, 3))
    with pytest.raises(ValueError, match="10 digits"):
        spoken.phone_number("12345")


def test_no_spoken_form_contains_a_digit():
    texts = [spoken.cardinal(n) for n in range(0, 1_000_000, 997)]
    texts += [spoken.pair_number(n) for n in range(0, 10_000, 37)]
    texts += [spoken.full_date(datetime.date(1950, 1, 1) + datetime.timedelta(days=d)) for d in range(0, 20000, 101)]
    texts += [spoken.money(c) for c in range(1, 100000, 331)]
    assert not [text for text in texts if any(char.isdigit() for char in text)]
