"""Organisation and place names in a comparable form.

"The Hartley Advice Centre Ltd." and "HARTLEY ADVICE CENTRE LIMITED" are the
same name written two ways. :func:`normalise_name` folds case, accents,
punctuation, "&"/"and", a leading "The" and legal-form words (Ltd, Limited,
CIC, CIO, PLC, ...) so that such names compare equal; it is the blocking key
and the first test of every name match.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LEGAL_FORMS", "name_tokens", "normalise_name"]

LEGAL_FORMS = (
    "community interest company",
    "charitable incorporated organisation",
    "charitable incorporated organization",
    "company limited by guarantee",
    "limited by guarantee",
    "incorporated",
    "limited",
    "ltd",
    "cic",
    "cio",
    "scio",
    "plc",
    "llp",
    "inc",
    "co",
)
"""Words that say what legal form an organisation has, not which organisation it is."""

_LONG_FORMS = (
    ("community interest company", "cic"),
    ("charitable incorporated organisation", "cio"),
    ("charitable incorporated organization", "cio"),
)

_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_LEGAL_SUFFIX = re.compile(r"(?:\s(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r"))+$")


def normalise_name(name: str) -> str:
    """A name folded so that spellings of the same name compare equal.

    Examples
    --------
    >>> normalise_name("The Hartley Advice Centre Ltd.")
    'hartley advice centre'
    >>> normalise_name("HARTLEY ADVICE CENTRE LIMITED")
    'hartley advice centre'
    >>> normalise_name("Bread & Roses C.I.C.")
    'bread and roses'
    >>> normalise_name("Café Rouge")
    'cafe rouge'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)  # C.I.C.
    text = _PUNCTUATION.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(r"^the\s", "", text)
    for phrase, short in _LONG_FORMS:  # anywhere: "Bright Futures CIC Lowfield"
        text = text.replace(phrase, short)
    stripped = _LEGAL_SUFFIX.sub("", " " + text).strip()
    return stripped or text


def name_tokens(name: str) -> list[str]:
    """The words of a normalised name (for blocking and token-based similarity)."""
    return normalise_name(name).split()
