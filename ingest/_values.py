"""Parsing the values sources write many ways: dates, amounts, currencies, mangled text,
postcodes and addresses.

Each parser returns the clean value, or ``None`` when the input cannot be
trusted; callers report the problem and keep the raw value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import ftfy

__all__ = [
    "CURRENCIES",
    "MAX_PLAUSIBLE_AMOUNT",
    "address_props",
    "fix_mojibake",
    "implausible_amount",
    "implausible_postcode",
    "normalise_postcode",
    "parse_amount",
    "parse_date",
]

# ISO 4217 codes (the 360Giving currency codelist).
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK
    DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR
    ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
    LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE
    SLL SOS SRD SSP STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN
    UYI UYU UYW UZS VED VEF VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF
    XPT XSU XTS XUA XXX YER ZAR ZMW ZWL""".split()
)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


_DATE_FORMATS = (
    ("%d/%m/%Y %H:%M", "day"),
    ("%d/%m/%Y %H:%M:%S", "day"),
    ("%d %B %Y", "day"),
    ("%d %b %Y", "day"),
    ("%B %Y", "month"),
    ("%b %Y", "month"),
    ("%Y-%m", "month"),
)


def parse_date(value: object) -> tuple[str, str] | None:
    """An ISO date (``YYYY-MM-DD``) and its precision (day, month, year), or ``None``.

    Takes ``YYYY-MM-DD``, ISO datetimes, ``DD/MM/YYYY`` (the UK order, with or
    without a time), ``MM/YYYY``, ``YYYY``, and dates in words ("19 April 2013").
    A month or year alone becomes its first day, with the precision saying so.

    Examples
    --------
    >>> parse_date("2015-06-01T00:00:00+00:00"), parse_date("17/03/2014")
    (('2015-06-01', 'day'), ('2014-03-17', 'day'))
    >>> parse_date("03/2016"), parse_date("19 April 2013"), parse_date("26/03/2001 00:00")
    (('2016-03-01', 'month'), ('2013-04-19', 'day'), ('2001-03-26', 'day'))
    >>> parse_date("31/02/2016") is None, parse_date("soon") is None
    (True, True)
    """
    if isinstance(value, datetime):
        return value.date().isoformat(), "day"
    if isinstance(value, date):
        return value.isoformat(), "day"
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    try:
        if match := _ISO_DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat(), "day"
        if match := _DMY.match(text):
            return date(int(match[3]), int(match[2]), int(match[1])).isoformat(), "day"
        if match := _MY.match(text):
            return date(int(match[2]), int(match[1]), 1).isoformat(), "month"
        if match := _YEAR.match(text):
            return date(int(match[1]), 1, 1).isoformat(), "year"
    except ValueError:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat(), "day"
    except ValueError:
        pass
    for pattern, precision in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date().isoformat(), precision
        except ValueError:
            continue
    return None


_AMOUNT_NOISE = re.compile(r"[£$€,\s]|GBP|EUR|USD", re.IGNORECASE)


def parse_amount(value: object) -> float | None:
    """A money amount from a number or a string such as ``"£1,234.50"``; ``None`` if not one.

    Examples
    --------
    >>> parse_amount("£1,234.50"), parse_amount(500), parse_amount("n/a") is None
    (1234.5, 500.0, True)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        amount = float(value)
    elif isinstance(value, str):
        try:
            amount = float(_AMOUNT_NOISE.sub("", value))
        except ValueError:
            return None
    else:
        return None
    return amount if math.isfinite(amount) else None  # "NaN" and "Infinity" are no amounts


MAX_PLAUSIBLE_AMOUNT = 1e11
"""More than any one grant has been: £100 billion (the largest 360Giving awards are in the
hundreds of millions)."""


def implausible_amount(amount: float) -> str | None:
    """Why a parsed amount cannot be real, or ``None`` when it can.

    Examples
    --------
    >>> implausible_amount(1e308)
    'is more than 100,000,000,000, more than any grant has been'
    >>> implausible_amount(12_500.0) is None
    True
    """
    if abs(amount) > MAX_PLAUSIBLE_AMOUNT:
        return f"is more than {MAX_PLAUSIBLE_AMOUNT:,.0f}, more than any grant has been"
    return None


_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_UK_NAMES = {"GB", "UK", "GBR", "UNITED KINGDOM", "ENGLAND", "SCOTLAND", "WALES",
             "NORTHERN IRELAND", "GREAT BRITAIN"}  # fmt: skip


def implausible_postcode(value: str, country: str | None = None) -> bool:
    """Whether ``value`` was meant as a UK postcode but is not one.

    A value is judged when its country is the UK, or when no country is given
    and it looks like an attempt at one (it starts with a letter and holds
    digits); US ZIP codes and other countries' codes are left alone.

    Examples
    --------
    >>> implausible_postcode("ZZ99 9ZZZ"), implausible_postcode("M4 6AA")
    (True, False)
    >>> implausible_postcode("33157"), implausible_postcode("K1A 0B1", "CA")
    (False, False)
    >>> implausible_postcode("Not known", "GB")
    True
    """
    text = " ".join(value.split()).upper()
    if not text or _UK_POSTCODE.match(text):
        return False
    if country is not None and country.strip():
        return country.strip().upper() in _UK_NAMES
    return text[0].isalpha() and any(ch.isdigit() for ch in text)


_MOJIBAKE_HINTS = ("Ã", "Â", "â€", "Å", "Ä")


def fix_mojibake(text: str) -> str:
    """Text with double-encoded characters repaired (``Â£100`` → ``£100``), else unchanged.

    Examples
    --------
    >>> fix_mojibake("A grant of Â£100,000"), fix_mojibake("Café")
    ('A grant of £100,000', 'Café')
    """
    if not any(hint in text for hint in _MOJIBAKE_HINTS):
        return text
    return str(ftfy.fix_text(text, normalization="NFC"))


_UK_POSTCODE_PARTS = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """A UK postcode in its standard form (``SW1A 1AA``); other codes trimmed and kept.

    Examples
    --------
    >>> normalise_postcode(" sw1a1aa "), normalise_postcode("33157")
    ('SW1A 1AA', '33157')
    """
    text = " ".join(value.split()).upper()
    match = _UK_POSTCODE_PARTS.match(text)
    return f"{match.group(1)} {match.group(2)}" if match else value.strip()


def address_props(street: str | None, town: str | None, postcode: str | None) -> dict[str, str]:
    """A location's address properties: ``address_1``, ``city``, ``postcode`` and one line.

    Examples
    --------
    >>> address_props("1 High St", "Leeds", "ls1 1aa")["address"]
    '1 High St, Leeds, LS1 1AA'
    >>> address_props(None, None, None)
    {}
    """
    props: dict[str, str] = {}
    if street:
        props["address_1"] = street
    if town:
        props["city"] = town
    if postcode:
        props["postcode"] = normalise_postcode(postcode)
    line = ", ".join(p for p in (street, town, props.get("postcode", "")) if p)
    if line:
        props["address"] = line
    return props
