"""Organisation identifiers in org-id form (https://org-id.guide).

Sources name the same registry many ways (``GB-CHC``, ``UK-CHTY``, "Charity
Commission", a bare ``charity_number`` column) and write the same number many
ways (``01234567`` and ``1234567`` are one company). Everything here turns
them into one canonical string, ``<SCHEME>-<identifier>``, so that records
from different sources that share an identifier become one node.
"""

from __future__ import annotations

import re

__all__ = [
    "ORG_ID_SCHEMES",
    "normalise_org_id",
    "org_id_kind",
    "parse_org_id",
    "scheme_for",
]

ORG_ID_SCHEMES: dict[str, str] = {
    "GB-CHC": "charity",  # Charity Commission for England and Wales
    "GB-SC": "charity",  # OSCR, Scotland
    "GB-NIC": "charity",  # Charity Commission for Northern Ireland
    "GB-COH": "company",  # Companies House
    "GB-MPR": "mutual",  # Mutuals Public Register
    "GB-EDU": "school",  # DfE Get Information about Schools URN
    "GB-UKPRN": "education provider",
    "GB-LAE": "council",  # local authorities, England
    "GB-LAS": "council",  # local authorities, Scotland
    "GB-LAW": "council",  # local authorities, Wales
    "GB-PLA": "council",  # principal local authorities, Northern Ireland
    "GB-LANI": "council",
    "GB-NHS": "NHS body",  # NHS ODS codes
    "GB-GOR": "government body",
    "GB-SHPE": "housing association",
    "XI-GRID": "research organisation",
    "XI-ROR": "research organisation",
}
"""Schemes we normalise and what kind of organisation each registers."""

# How sources name schemes, lower-cased and with spaces/punctuation squeezed.
_SCHEME_ALIASES: dict[str, str] = {
    "gbchc": "GB-CHC",
    "ukchty": "GB-CHC",
    "charity": "GB-CHC",
    "charitynumber": "GB-CHC",
    "charityno": "GB-CHC",
    "registeredcharity": "GB-CHC",
    "registeredcharitynumber": "GB-CHC",
    "charitycommission": "GB-CHC",
    "charitycommissionforenglandandwales": "GB-CHC",
    "charitycommissionenglandandwales": "GB-CHC",
    "ccew": "GB-CHC",
    "gbsc": "GB-SC",
    "oscr": "GB-SC",
    "scottishcharity": "GB-SC",
    "scottishcharityregulator": "GB-SC",
    "gbnic": "GB-NIC",
    "ccni": "GB-NIC",
    "charitycommissionfornorthernireland": "GB-NIC",
    "gbcoh": "GB-COH",
    "ukco": "GB-COH",
    "company": "GB-COH",
    "companynumber": "GB-COH",
    "companyno": "GB-COH",
    "companieshouse": "GB-COH",
    "companyregistrationnumber": "GB-COH",
    "gbmpr": "GB-MPR",
    "gbedu": "GB-EDU",
    "urn": "GB-EDU",
    "gbukprn": "GB-UKPRN",
    "ukprn": "GB-UKPRN",
    "gblae": "GB-LAE",
    "gblas": "GB-LAS",
    "gblaw": "GB-LAW",
    "gbpla": "GB-PLA",
    "gblani": "GB-LANI",
    "gbnhs": "GB-NHS",
    "odscode": "GB-NHS",
    "nhsods": "GB-NHS",
    "gbgor": "GB-GOR",
    "gbshpe": "GB-SHPE",
    "xigrid": "XI-GRID",
    "xiror": "XI-ROR",
}

_SQUEEZE = re.compile(r"[^a-z0-9]+")
_ORG_ID = re.compile(r"^\s*([A-Za-z]{2})-([A-Za-z]{2,6})-(.+?)\s*$")
_PREFIXED_360G = re.compile(r"^\s*(360G-\S+)\s*$")
_COMPANY_PREFIX = re.compile(r"^([A-Z]{1,2})(\d+)([A-Z]?)$")


def scheme_for(name: str | None) -> str | None:
    """The org-id scheme a source's scheme name means, or ``None`` if unknown.

    Examples
    --------
    >>> scheme_for("UK-CHTY"), scheme_for("Companies House"), scheme_for("NHS-OID")
    ('GB-CHC', 'GB-COH', None)
    """
    if not name:
        return None
    return _SCHEME_ALIASES.get(_SQUEEZE.sub("", name.lower()))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _normalise_identifier(scheme: str, identifier: str) -> str | None:
    ident = identifier.strip().upper().replace(" ", "")
    if ident.startswith(scheme + "-"):
        ident = ident[len(scheme) + 1 :]
    if not ident:
        return None
    if scheme == "GB-CHC":
        # Linked charities are written 1234567-1; the main number identifies the charity.
        main = ident.split("-", 1)[0]
        digits = _digits(main)
        return (digits.lstrip("0") or None) if digits == main else None
    if scheme == "GB-COH":
        if ident.isdigit():
            return ident.zfill(8) if len(ident) <= 8 else None
        match = _COMPANY_PREFIX.match(ident)
        if match and len(ident) <= 9:
            prefix, digits, suffix = match.groups()
            # SC123456 pads to eight characters; a society's IP28755R keeps its own form.
            return prefix + (digits if suffix else digits.zfill(8 - len(prefix))) + suffix
        return None
    if scheme == "GB-SC":
        digits = _digits(ident)
        rest = ident.removeprefix("SC")
        return "SC" + digits.zfill(6) if digits and rest == digits else None
    if scheme == "GB-NIC":
        rest = ident.removeprefix("NIC")
        return (rest.lstrip("0") or None) if rest.isdigit() else None
    if scheme in ("GB-EDU", "GB-UKPRN"):
        return (ident.lstrip("0") or None) if ident.isdigit() else None
    return ident


def normalise_org_id(scheme: str | None, identifier: object) -> str | None:
    """An identifier in canonical org-id form, or ``None`` if it is not one we can trust.

    ``scheme`` may be an org-id prefix (``GB-COH``) or a name sources use for
    one (``UK-CO``, ``Companies House``). If ``scheme`` is ``None`` the
    identifier must itself be an org-id.

    Examples
    --------
    >>> normalise_org_id("GB-COH", "1234567")
    'GB-COH-01234567'
    >>> normalise_org_id("Companies House", "sc 123456")
    'GB-COH-SC123456'
    >>> normalise_org_id("UK-CHTY", "01122334")
    'GB-CHC-1122334'
    >>> normalise_org_id(None, "gb-chc-1122334")
    'GB-CHC-1122334'
    >>> normalise_org_id("GB-COH", "not a number") is None
    True
    """
    if identifier is None:
        return None
    text = str(identifier).strip()
    if not text:
        return None
    if scheme is None or not scheme.strip():
        return parse_org_id(text)
    canonical = scheme_for(scheme)
    if canonical is None:
        return None
    ident = _normalise_identifier(canonical, text)
    return f"{canonical}-{ident}" if ident else None


def parse_org_id(text: str) -> str | None:
    """Parse a string that should be an org-id; ``None`` if it is not one.

    Known schemes are normalised; other well-formed org-ids (``US-EIN-...``,
    ``ZA-NPO-...``) and 360Giving's own ``360G-<publisher>-<id>`` ids for
    unregistered groups are kept as they are.

    Examples
    --------
    >>> parse_org_id("GB-COH-1234567")
    'GB-COH-01234567'
    >>> parse_org_id("360G-ocf-org:1117726")
    '360G-ocf-org:1117726'
    >>> parse_org_id("Oxford Community Foundation") is None
    True
    """
    if not text:
        return None
    match = _ORG_ID.match(text)
    if match:
        scheme = f"{match.group(1)}-{match.group(2)}".upper()
        if scheme in ORG_ID_SCHEMES:
            ident = _normalise_identifier(scheme, match.group(3))
            return f"{scheme}-{ident}" if ident else None
        rest = match.group(3).strip()
        return f"{scheme}-{rest}" if rest and " " not in rest else None
    match_360 = _PREFIXED_360G.match(text)
    if match_360:
        return match_360.group(1)
    return None


def org_id_kind(org_id: str) -> str | None:
    """What kind of organisation an org-id's scheme registers (``charity``, ``council``...).

    Examples
    --------
    >>> org_id_kind("GB-LAE-MAN")
    'council'
    """
    for scheme, kind in ORG_ID_SCHEMES.items():
        if org_id.startswith(scheme + "-"):
            return kind
    return None
