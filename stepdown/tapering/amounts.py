"""Reading amounts that members type, and writing amounts back for them to read.

Internally the taper tools compute with ``fractions.Fraction`` so that a half of a quarter of a
0.125 mg tablet stays exact; what members see is a ``Decimal`` rounded to a sensible precision.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from stepdown.tapering.errors import TaperInputError

# Four decimal places are enough for any real dose (0.0625 mg is a quarter of 0.25 mg) and stop
# float noise such as 0.30000000000000004 from passing as a dose.
MAX_DECIMAL_PLACES = 4


def parse_amount(
    value: object,
    *,
    what: str,
    field: str,
    error: type[TaperInputError] = TaperInputError,
) -> Decimal:
    """Return ``value`` as a finite Decimal, or raise ``error`` with a message about ``what``.

    Accepts ints, floats, Decimals and numeric strings; refuses booleans, NaN, infinities and more
    than four decimal places. Sign and size are the caller's business.
    """
    if isinstance(value, bool) or value is None:
        raise error(f"Enter a number for {what}.", field=field)
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            number = Decimal(value.strip().replace(",", "."))
        else:
            raise error(f"Enter a number for {what}.", field=field)
    except InvalidOperation:
        raise error(f"Enter a number for {what}, like 0.5.", field=field) from None
    if not number.is_finite():
        raise error(f"Enter an ordinary number for {what}.", field=field)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise error(
            f"Use at most {MAX_DECIMAL_PLACES} decimal places for {what}.",
            field=field,
        )
    return number


def to_fraction(value: Decimal | int) -> Fraction:
    """Exact fraction of a Decimal or int (Decimals from members are always exact)."""
    return Fraction(value)


def to_decimal(value: Fraction, places: int = 6) -> Decimal:
    """A Fraction as a Decimal, exact when it terminates within ``places``, else rounded."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return _strip(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def round_significant(value: Fraction | Decimal, digits: int = 3) -> Decimal:
    """Round to ``digits`` significant figures for display: 6.666… → 6.67, 12.5 → 12.5."""
    number = value if isinstance(value, Decimal) else to_decimal(Fraction(value), places=12)
    if number == 0:
        return Decimal(0)
    shift = digits - number.adjusted() - 1
    return _strip(number.quantize(Decimal(1).scaleb(-shift), rounding=ROUND_HALF_UP))


def percent(fraction: Fraction) -> Decimal:
    """A share (0.25) as a percentage with one decimal place (25.0)."""
    return (Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def format_mg(value: Fraction | Decimal | int) -> str:
    """Plain text for an amount without exponent notation or trailing zeros: 10, 0.125, 2.5."""
    number = value if isinstance(value, Decimal) else to_decimal(Fraction(value))
    return format(_strip(number), "f")


def _strip(number: Decimal) -> Decimal:
    # normalize() alone turns 10 into 1E+1; quantizing back to an integer keeps "10".
    normal = number.normalize()
    if normal == normal.to_integral_value():
        # Quantizing a huge number (1e999, typed by mistake) would overflow the context.
        return normal.quantize(Decimal(1)) if normal.adjusted() < 28 else normal
    return normal
