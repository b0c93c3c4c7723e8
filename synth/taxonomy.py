"""The small built-in service taxonomy the synthetic town uses.

Twelve categories (each a sector coordinators recognise) with their service
types. Codes are stable: ``CG-ADV`` is "Advice and money", ``CG-ADV-DEBT``
is "Debt advice".
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CATEGORIES", "TAXONOMY_NAME", "Category", "ServiceType", "service_types"]

TAXONOMY_NAME = "civicgraph service categories"


class ServiceType(NamedTuple):
    code: str
    name: str
    weight: float
    """How common the type is among a town's services."""
    preventative: bool
    """Early action: it stops needs growing (befriending, money advice, youth clubs)."""


class Category(NamedTuple):
    code: str
    name: str
    sector: str
    types: tuple[ServiceType, ...]


def _t(code: str, name: str, weight: float, preventative: bool = False) -> ServiceType:
    return ServiceType(code, name, weight, preventative)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "CG-ADV",
        "Advice and money",
        "advice",
        (
            _t("CG-ADV-DEBT", "Debt advice", 3, True),
            _t("CG-ADV-BEN", "Welfare benefits advice", 3, True),
            _t("CG-ADV-MON", "Money management", 1.5, True),
            _t("CG-ADV-LEG", "Legal advice", 1),
        ),
    ),
    Category(
        "CG-HOU",
        "Housing and homelessness",
        "housing",
        (
            _t("CG-HOU-HMLS", "Homelessness support", 2),
            _t("CG-HOU-ADV", "Housing advice", 2, True),
            _t("CG-HOU-SUP", "Supported housing", 1),
            _t("CG-HOU-TEN", "Tenancy sustainment", 1, True),
        ),
    ),
    Category(
        "CG-MH",
        "Mental health and wellbeing",
        "mental health",
        (
            _t("CG-MH-COUN", "Counselling", 2.5),
            _t("CG-MH-PEER", "Peer support groups", 2, True),
            _t("CG-MH-CRIS", "Crisis support", 1),
            _t("CG-MH-TALK", "Talking therapies", 1.5),
        ),
    ),
    Category(
        "CG-HLT",
        "Physical health",
        "health",
        (
            _t("CG-HLT-GP", "GP and primary care", 2),
            _t("CG-HLT-CHK", "Health checks", 1, True),
            _t("CG-HLT-SEX", "Sexual health", 0.7),
            _t("CG-HLT-LTC", "Long-term condition support", 1.2),
        ),
    ),
    Category(
        "CG-FOOD",
        "Food",
        "food",
        (
            _t("CG-FOOD-BANK", "Food bank", 2),
            _t("CG-FOOD-MEAL", "Community meals", 1.5, True),
            _t("CG-FOOD-PAN", "Community pantry", 1, True),
            _t("CG-FOOD-COOK", "Cookery classes", 0.6, True),
        ),
    ),
    Category(
        "CG-EMP",
        "Employment and skills",
        "employment",
        (
            _t("CG-EMP-JOB", "Job search support", 2),
            _t("CG-EMP-LRN", "Adult learning", 1.5, True),
            _t("CG-EMP-DIG", "Digital skills", 1.5, True),
            _t("CG-EMP-VOL", "Volunteering opportunities", 1, True),
        ),
    ),
    Category(
        "CG-FAM",
        "Children, young people and families",
        "families",
        (
            _t("CG-FAM-PAR", "Parenting support", 1.5, True),
            _t("CG-FAM-YTH", "Youth clubs", 2, True),
            _t("CG-FAM-EY", "Early years", 1.5, True),
            _t("CG-FAM-SUP", "Family support", 1.5),
        ),
    ),
    Category(
        "CG-OLD",
        "Older people",
        "older people",
        (
            _t("CG-OLD-BEF", "Befriending", 1.5, True),
            _t("CG-OLD-DAY", "Day centres", 1),
            _t("CG-OLD-HOME", "Home support", 1),
            _t("CG-OLD-DEM", "Dementia support", 1),
        ),
    ),
    Category(
        "CG-DIS",
        "Disability and carers",
        "disability",
        (
            _t("CG-DIS-CAR", "Carers support", 1.5, True),
            _t("CG-DIS-ADV", "Disability advice", 1),
            _t("CG-DIS-ACT", "Accessible activities", 1, True),
        ),
    ),
    Category(
        "CG-SUB",
        "Drugs and alcohol",
        "substance misuse",
        (
            _t("CG-SUB-TRT", "Drug and alcohol treatment", 1),
            _t("CG-SUB-REC", "Recovery groups", 1, True),
        ),
    ),
    Category(
        "CG-DV",
        "Domestic abuse",
        "domestic abuse",
        (
            _t("CG-DV-SUP", "Domestic abuse support", 1),
            _t("CG-DV-REF", "Refuge", 0.4),
        ),
    ),
    Category(
        "CG-COM",
        "Community and social",
        "community",
        (
            _t("CG-COM-CTR", "Community centre activities", 2, True),
            _t("CG-COM-SOC", "Social groups", 2, True),
            _t("CG-COM-ART", "Arts and culture", 1.2, True),
            _t("CG-COM-SPT", "Sport and exercise", 1.5, True),
        ),
    ),
)


def service_types() -> list[tuple[Category, ServiceType]]:
    """Every (category, service type) pair, in taxonomy order."""
    return [(category, kind) for category in CATEGORIES for kind in category.types]
