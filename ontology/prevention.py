"""Prevention levels: the Care Act's prevent–reduce–delay ladder plus crisis response.

Four levels, a SKOS scheme published in ``prevention.ttl`` beside the crosswalk
that assigns them to taxonomy terms:

- ``primary``: universal — wellbeing, information, community activity, reducing
  isolation; open to everyone, before any need arises;
- ``secondary``: targeted early help for people at risk — debt advice, carers'
  support, screening, family support;
- ``tertiary``: reduce and delay — rehabilitation, reablement, treatment and
  ongoing support for needs that have arisen;
- ``acute``: crisis and emergency response.

The crosswalk (``prevention_crosswalk.ttl``, built by
:mod:`civicgraph.ontology.crosswalk`) maps the Open Eligibility services
taxonomy and the LGA service list term by term. Everything else — other
taxonomies (AIRS/211), free keywords, a service's own name — goes through the same
:data:`RULES`, which are ordered: the first rule whose pattern matches a text wins.
A term's own label is tried first, then its description (confidence lowered by
:data:`DESCRIPTION_PENALTY`), then its broader terms, nearest first (lowered by
:data:`BROADER_PENALTY` a step); a broader term's level wins over a weaker match on
the label (an "Emergency Payments" term is acute even where "help pay" says secondary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "BROADER_PENALTY",
    "DESCRIPTION_PENALTY",
    "LEVEL_DEFINITIONS",
    "PREVENTION_LEVELS",
    "PREVENTION_SCHEME",
    "RULES",
    "LevelMapping",
    "Rule",
    "classify_term",
    "classify_text",
    "level_iri",
]

PREVENTION_LEVELS: tuple[str, ...] = ("primary", "secondary", "tertiary", "acute")
"""The ladder, from universal prevention to crisis response."""

PREVENTION_SCHEME = "https://w3id.org/civicgraph/prevention"
"""The IRI of the SKOS concept scheme of the levels; each level is ``<scheme>/<level>``."""

LEVEL_DEFINITIONS: dict[str, tuple[str, str]] = {
    "primary": (
        "Primary prevention (prevent)",
        "Universal services open to everyone before a need arises: wellbeing, information "
        "and advice, community activity, reducing isolation, universal health and education.",
    ),
    "secondary": (
        "Secondary prevention (reduce)",
        "Targeted early help for people at risk: early detection and screening, debt and "
        "benefits help, carers' and family support, counselling, peer support.",
    ),
    "tertiary": (
        "Tertiary prevention (delay)",
        "Reducing and delaying needs that have arisen: rehabilitation, reablement, treatment, "
        "residential and home care, aids and adaptations, ongoing support.",
    ),
    "acute": (
        "Crisis and emergency response",
        "Responding to a crisis: emergencies, emergency shelter and food, safeguarding and "
        "protection, crisis lines, psychiatric emergencies.",
    ),
}
"""Each level's label and definition, as published."""

DESCRIPTION_PENALTY = 0.2
"""How much less a rule matching only the description is trusted than one on the label."""

BROADER_PENALTY = 0.1
"""How much less a level inherited from a broader term is trusted, per step up."""


def level_iri(level: str) -> str:
    """The IRI of a prevention level.

    >>> level_iri("acute")
    'https://w3id.org/civicgraph/prevention/acute'
    """
    if level not in PREVENTION_LEVELS:
        raise ValueError(f"'{level}' is not a prevention level; use {', '.join(PREVENTION_LEVELS)}")
    return f"{PREVENTION_SCHEME}/{level}"


@dataclass(frozen=True)
class Rule:
    """A named rule: a text matching ``pattern`` is at ``level``, trusted ``confidence``."""

    name: str
    level: str
    confidence: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class LevelMapping:
    """A level given to a term or service, the rule that gave it and why."""

    level: str
    rule: str
    confidence: float
    why: str


def _r(name: str, level: str, confidence: float, words: str) -> Rule:
    return Rule(name, level, confidence, re.compile(words, re.IGNORECASE))


# Ordered: specific before general, so "homelessness prevention" is secondary before
# "homeless" makes it acute, and "emergency planning" stays primary.
RULES: tuple[Rule, ...] = (
    _r("animal welfare", "primary", 0.4, r"\banimal"),
    _r("emergency planning", "primary", 0.6, r"emergency plan|disaster prepared|resilience"),
    _r(
        "prevention of crisis",
        "secondary",
        0.7,
        r"homelessness prevention|prevent(ing|ion of)? homeless|tenancy sustain|floating support",
    ),
    _r(
        "crisis and emergency",
        "acute",
        0.9,
        r"emergenc|crisis|disaster|urgent|food ?banks?|food parcel|\bout of hours\b|"
        r"\ba ?& ?e\b|accident and emergency",
    ),
    _r(
        "immediate safety",
        "acute",
        0.85,
        r"immediate safety|safe housing|escape violence|domestic (abuse|violence)|refuge\b|"
        r"missing person|rescue|evacuat|child protection|protection order|safeguarding|"
        r"emergency protection|forced marriage|trafficking|\bfgm\b",
    ),
    _r(
        "crisis accommodation",
        "acute",
        0.8,
        r"homeless|rough sleep|night shelter|\bshelter\b|temporary accommodation|bed and breakfast",
    ),
    _r("crisis lines", "acute", 0.7, r"hotline|helpline|crisis line|samaritans"),
    _r("detoxification", "acute", 0.7, r"detox"),
    _r(
        "end of life care",
        "tertiary",
        0.8,
        r"end-of-life|end of life|hospice|palliative",
    ),
    _r(
        "rehabilitation and reablement",
        "tertiary",
        0.85,
        r"rehabilit|reablement|re-ablement|intermediate care|addiction|12-step|sober living|"
        r"physical therap|physiotherap|occupational therap|specialized therapy|speech therap",
    ),
    _r(
        "residential and nursing care",
        "tertiary",
        0.85,
        r"residential (care|treatment|home)|nursing (home|care)|care home|assisted living|"
        r"supported (living|housing)|extra care|sheltered housing|independent living|"
        r"long-term care|respite",
    ),
    _r(
        "care and treatment",
        "tertiary",
        0.75,
        r"home care|homecare|domiciliary|in-home support|care (plan|package)|"
        r"personal care (service|support|at home)|"
        r"treatment|disease management|pain management|hiv|dialysis|day (care|centre)s? for adults|"
        r"adult day ?care|adult social care|direct payment|personal budget|continuing care",
    ),
    _r(
        "aids and adaptations",
        "tertiary",
        0.7,
        r"assistive technolog|adaptation|disabled facilities|telecare|community alarm|"
        r"medical supplies|(mobility|disability|community|specialist) (aids?|equipment)|wheelchair|"
        r"blue badge|"
        r"meals on wheels|food delivery",
    ),
    _r(
        "children in care",
        "tertiary",
        0.65,
        r"foster|adoption|looked after|leaving care|care leaver|children in care|"
        r"special guardianship|kinship care",
    ),
    _r(
        "offender management",
        "tertiary",
        0.6,
        r"probation|offender|youth offending|supervis\w* (attendance )?order|custody|"
        r"drug treatment|secure (unit|accommodation)",
    ),
    _r(
        "early detection",
        "secondary",
        0.75,
        r"screening|check-?up|health check|\b(pregnancy|hearing|vision|eye|sight|hiv) tests?\b|"
        r"(needs|care|carers?'?|health|disability) (assessment|evaluation)",
    ),
    _r(
        "early help and family support",
        "secondary",
        0.75,
        r"early help|early intervention|family support|troubled families|parenting|"
        r"home visit|at risk|vulnerable|children'?s social care|child in need",
    ),
    _r(
        "support for people at risk",
        "secondary",
        0.7,
        r"counsel|support group|peer support|mentor|one-on-one|befriend|carer|caregiver|"
        r"bereavement|advocacy|mediation|substance misuse|alcohol|drug|mental health|"
        r"disabilit|disabled|special (education|educational)|\bsen\b|"
        r"refugee|asylum|resettlement|immigration|citizenship",
    ),
    _r(
        "targeted money help",
        "secondary",
        0.65,
        r"debt|credit counsel|foreclosure|budgeting|help pay|financial (assistance|aid)|"
        r"benefit|allowance|bursar|hardship|welfare|voucher|discount|concession|"
        r"free school meal|reduction|exemption|rebate|loan|grants? for|tax prep|"
        r"unemploy|jobseeker|supported employment|job placement|help find work|"
        r"interview training|resume|back to work",
    ),
    _r(
        "targeted help with needs",
        "secondary",
        0.6,
        r"food (pantry|bank|parcel)|free meals|food benefit|clothing|baby (supplies|clothes)|"
        r"diapers|furniture|personal care items|blankets|help find|help fill|navigating|"
        r"housing advice|legal (aid|advice)|representation|translation|interpret|"
        r"social housing|public housing|council housing|housing (register|allocation)|"
        r"tutoring|alternative education|literacy|second language|\besol?\b|ged\b|"
        r"equivalency|basic skills",
    ),
    _r(
        "universal wellbeing and community",
        "primary",
        0.8,
        r"wellbeing|well-being|health (education|promotion|improvement)|healthy|nutrition|"
        r"exercise|\bsports?\b|leisure|\bcamps?\b|recreation|\bparks?\b|open space|playground|"
        r"play (area|scheme)|"
        r"librar|museum|\barts?\b|culture|heritage|community (centre|garden|group|activit|"
        r"development|engagement|hall|event)|volunteer|lunch club|social (activit|club)|"
        r"isolation|loneliness|youth (club|service|work)|information|advice|"
        r"vaccinat|immunis|family planning|birth control|sex education|understand",
    ),
    _r(
        "universal health, education and care",
        "primary",
        0.6,
        r"primary care|dental|\bgp\b|maternity|pregnan|hearing|vision|school|education|"
        r"preschool|nursery|children'?s centre|afterschool|after-school|childcare|day camp|"
        r"skills|training|computer class|foreign language|transport|bus pass|transit|"
        r"insurance|savings",
    ),
    _r(
        "broad need categories",
        "secondary",
        0.5,
        r"^(food|housing|goods|money|work|legal|care)$",
    ),
    _r("universal health services", "primary", 0.4, r"^(health|medical care)$"),
)
"""The rules, in the order they are tried (the first match wins)."""


def classify_text(text: str, rules: Sequence[Rule] = RULES) -> Rule | None:
    """The first rule whose pattern matches ``text`` (None if none does).

    >>> classify_text("Emergency Food").name
    'crisis and emergency'
    >>> classify_text("Debt advice").level
    'secondary'
    >>> classify_text("Parking permits") is None
    True
    """
    if not text:
        return None
    for rule in rules:
        if rule.pattern.search(text):
            return rule
    return None


def classify_term(
    label: str,
    *,
    description: str = "",
    broader: Iterable[str] = (),
    rules: Sequence[Rule] = RULES,
) -> LevelMapping | None:
    """The level of a taxonomy term by the rules over its label, description and broader terms.

    Parameters
    ----------
    label
        The term's name.
    description
        What the term means, where the taxonomy says.
    broader
        The labels of its broader terms, nearest first.
    rules
        The rules to try, in order.

    Returns
    -------
    LevelMapping or None
        The level, the rule that fired (``label: <rule>``, ``description: <rule>`` or
        ``broader 'Term': <rule>``), its confidence and a sentence; None if no rule fires.

    Examples
    --------
    >>> classify_term("Help Pay for Food", broader=["Emergency Payments", "Emergency"]).level
    'acute'
    >>> classify_term("Help Pay for Food", broader=["Food"]).rule
    'label: targeted money help'
    >>> classify_term("Food Pantry").why
    "the label 'Food Pantry' matches the rule 'targeted help with needs' (secondary)"
    """
    found: LevelMapping | None = None
    label_rule = classify_text(label, rules)
    if label_rule is not None:
        found = LevelMapping(
            label_rule.level,
            f"label: {label_rule.name}",
            label_rule.confidence,
            f"the label '{label}' matches the rule '{label_rule.name}' ({label_rule.level})",
        )
    elif description:
        described = classify_text(description, rules)
        if described is not None:
            found = LevelMapping(
                described.level,
                f"description: {described.name}",
                round(max(described.confidence - DESCRIPTION_PENALTY, 0.1), 2),
                f"the description of '{label}' matches the rule '{described.name}' "
                f"({described.level})",
            )
    for steps, name in enumerate(broader, start=1):
        above = classify_text(name, rules)
        if above is None:
            continue
        confidence = round(max(above.confidence - BROADER_PENALTY * steps, 0.1), 2)
        if found is None or (confidence > found.confidence and above.level != found.level):
            found = LevelMapping(
                above.level,
                f"broader '{name}': {above.name}",
                confidence,
                f"'{label}' is under '{name}', which matches the rule '{above.name}' "
                f"({above.level})",
            )
        break  # the nearest broader term with a rule speaks for the hierarchy
    return found
