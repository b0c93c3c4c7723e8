"""Org-id normalisation: table-driven cases and properties that must always hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgraph.ontology import normalise_org_id, org_id_kind, parse_org_id, scheme_for

CASES = [
    ("GB-CHC", "1122334", "GB-CHC-1122334"),
    ("GB-CHC", " 01122334 ", "GB-CHC-1122334"),
    ("UK-CHTY", "1122334", "GB-CHC-1122334"),
    ("Charity Commission", "1122334-1", "GB-CHC-1122334"),
    ("charity_number", "1122334", "GB-CHC-1122334"),
    ("GB-COH", "1234567", "GB-COH-01234567"),
    ("GB-COH", "01234567", "GB-COH-01234567"),
    ("Companies House", "sc123456", "GB-COH-SC123456"),
    ("UK-CO", "08765432", "GB-COH-08765432"),
    ("GB-COH", "GB-COH-1234567", "GB-COH-01234567"),
    ("GB-SC", "SC012345", "GB-SC-SC012345"),
    ("GB-SC", "12345", "GB-SC-SC012345"),
    ("GB-NIC", "NIC100123", "GB-NIC-100123"),
    ("GB-EDU", "0123456", "GB-EDU-123456"),
    ("GB-LAE", "man", "GB-LAE-MAN"),
    ("GB-NHS", "RX9", "GB-NHS-RX9"),
    ("XI-GRID", "grid.1234.5", "XI-GRID-GRID.1234.5"),
    # Not org-ids we can trust: refused rather than guessed.
    ("GB-COH", "not a number", None),
    ("GB-COH", "123456789", None),
    ("GB-CHC", "12a45", None),
    ("NHS-OID", "STAR-99", None),
    ("GB-CHC", "", None),
    (None, "Oxford Community Foundation", None),
]


@pytest.mark.parametrize(("scheme", "identifier", "expected"), CASES)
def test_normalise_org_id(scheme: str | None, identifier: str, expected: str | None) -> None:
    assert normalise_org_id(scheme, identifier) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GB-CHC-1122334", "GB-CHC-1122334"),
        ("gb-coh-1234567", "GB-COH-01234567"),
        ("360G-ocf-org:1117726", "360G-ocf-org:1117726"),
        ("ZA-NPO-123-456", "ZA-NPO-123-456"),
        ("US-EIN-12-3456789", "US-EIN-12-3456789"),
        ("Miami Dade County", None),
        ("", None),
    ],
)
def test_parse_org_id(text: str, expected: str | None) -> None:
    assert parse_org_id(text) == expected


def test_scheme_names_and_kinds() -> None:
    assert scheme_for("Registered Charity Number") == "GB-CHC"
    assert scheme_for("unknown register") is None
    assert org_id_kind("GB-NHS-RX9") == "NHS body"
    assert org_id_kind("ZZ-XXX-1") is None


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(min_value=0, max_value=3))
def test_company_numbers_with_or_without_leading_zeros_are_one(number: int, zeros: int) -> None:
    plain = str(number)
    padded = "0" * zeros + plain
    if len(padded) > 8:
        padded = plain
    assert normalise_org_id("GB-COH", plain) == normalise_org_id("GB-COH", padded)


@given(
    st.sampled_from(["GB-CHC", "GB-COH", "GB-SC", "GB-NIC", "GB-EDU", "UK-CHTY", "company"]),
    st.text(alphabet="0123456789 SCNIsc-", min_size=1, max_size=12),
)
def test_normalising_is_idempotent(scheme: str, identifier: str) -> None:
    once = normalise_org_id(scheme, identifier)
    if once is not None:
        assert parse_org_id(once) == once
        assert normalise_org_id(None, once) == once
        assert " " not in once


@given(st.integers(min_value=100_000, max_value=1_299_999))
def test_charity_numbers_round_trip_through_org_id_text(number: int) -> None:
    org_id = normalise_org_id("GB-CHC", str(number))
    assert org_id == f"GB-CHC-{number}"
    assert parse_org_id(org_id.lower()) == org_id
