"""Prevention levels of the graph's terms and services, and users' own mapping files.

Private plumbing for ``query prevention``, ``si-index`` and the ``prevention_level``
field. A taxonomy term (a ``Concept`` node) takes its level from, in order:

1. the user's mapping file, matched on the term's id, URI, code or label;
2. the published crosswalk, by the term's URI, by its code where its taxonomy is
   Open Eligibility or the LGA service list, or by its label where one crosswalk
   level has it (trusted 0.1 less: the same words may mean another thing elsewhere);
3. the rules over its label, description and broader terms
   (:func:`civicgraph.ontology.prevention.classify_term`).

A service's level is its own ``prevention_level`` where a source states one; else that
of its most trusted term (ties: the first term by id); else the rules over its name,
then its description.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ontology import EdgeType, NodeType
from ..ontology.crosswalk import (
    LGSL,
    OPEN_ELIGIBILITY,
    SCHEME_NAMES,
    load_crosswalk,
    normalise_label,
)
from ..ontology.prevention import (
    DESCRIPTION_PENALTY,
    PREVENTION_LEVELS,
    PREVENTION_SCHEME,
    LevelMapping,
    classify_term,
    classify_text,
)
from ._index import GraphIndex

__all__ = [
    "ServiceLevel",
    "UserMapping",
    "read_mapping_file",
    "service_levels",
    "term_levels",
]

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_MATCHES = {_SKOS + p for p in ("broadMatch", "exactMatch", "closeMatch", "relatedMatch")}
_LEVEL_PROPERTY = "https://w3id.org/civicgraph/ns#preventionLevel"
LABEL_PENALTY = 0.1


@dataclass(frozen=True)
class UserMapping:
    """A user's mapping: ``{key: LevelMapping}``, keys normalised (see :func:`_key`)."""

    source: str
    levels: dict[str, LevelMapping]

    def find(self, *keys: Any) -> LevelMapping | None:
        for key in keys:
            if isinstance(key, str) and key.strip():
                found = self.levels.get(_key(key))
                if found is not None:
                    return found
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "levels": {
                k: [m.level, m.rule, m.confidence, m.why] for k, m in sorted(self.levels.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserMapping:
        return cls(
            str(data["source"]),
            {k: LevelMapping(v[0], v[1], float(v[2]), v[3]) for k, v in data["levels"].items()},
        )


@dataclass(frozen=True)
class ServiceLevel:
    """A service's level, and the term it came from (empty when from its own words)."""

    mapping: LevelMapping
    term: str


def _key(text: str) -> str:
    return normalise_label(text)


def _level_of(value: str) -> str | None:
    text = value.strip().lower()
    if text.startswith(PREVENTION_SCHEME + "/"):
        text = text[len(PREVENTION_SCHEME) + 1 :]
    return text if text in PREVENTION_LEVELS else None


def read_mapping_file(path: str | Path) -> UserMapping:
    """Read a user's mapping of taxonomy terms to prevention levels (CSV or SKOS Turtle).

    A CSV has the columns ``term`` (a term's id, URI, code or label), ``level``
    (primary, secondary, tertiary or acute) and optionally ``confidence`` (0–1,
    default 1) and ``why``. A SKOS file (``.ttl``) maps each term by
    ``skos:broadMatch``/``exactMatch``/``closeMatch`` to a level IRI
    (``https://w3id.org/civicgraph/prevention/acute``) or by ``cg:preventionLevel``;
    the term is matched by its IRI, ``skos:notation`` and ``skos:prefLabel``.

    Raises
    ------
    InputError
        The file cannot be read, or rows name no term or an unknown level (all such
        rows are listed).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the prevention mapping ({exc}).",
            path=file,
            fix="give a UTF-8 CSV (term,level) or a SKOS Turtle file.",
            param="mapping",
        ) from exc
    if file.suffix.lower() in (".ttl", ".turtle", ".nt"):
        return _read_skos(file, text)
    return _read_csv(file, text)


def _read_csv(file: Path, text: str) -> UserMapping:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "term" not in columns or "level" not in columns:
        raise InputError(
            f"the header has {', '.join(columns) or 'no columns'}; a mapping needs 'term' "
            "and 'level'.",
            path=file,
            where="line 1",
            fix="write the header term,level[,confidence,why].",
            param="mapping",
        )
    problems: list[str] = []
    levels: dict[str, LevelMapping] = {}
    for line, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        term, level = row.get("term", ""), _level_of(row.get("level", ""))
        if not term:
            problems.append(f"line {line}: no term")
            continue
        if level is None:
            problems.append(f"line {line}: level '{row.get('level', '')}' for '{term}'")
            continue
        try:
            confidence = float(row["confidence"]) if row.get("confidence") else 1.0
        except ValueError:
            problems.append(f"line {line}: confidence '{row['confidence']}' is not a number")
            continue
        if not 0 <= confidence <= 1:
            problems.append(f"line {line}: confidence {confidence} is not between 0 and 1")
            continue
        why = row.get("why") or f"your mapping {file.name} puts '{term}' at {level}"
        levels[_key(term)] = LevelMapping(level, f"your mapping ({file.name})", confidence, why)
    if problems:
        raise InputError(
            f"{len(problems)} rows cannot be used: " + "; ".join(problems[:10]) + ".",
            path=file,
            fix="give every row a term and a level of primary, secondary, tertiary or acute.",
            param="mapping",
        )
    return UserMapping(str(file), levels)


def _read_skos(file: Path, text: str) -> UserMapping:
    import pyoxigraph

    try:
        triples = list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(
            f"is not readable Turtle ({exc}).",
            path=file,
            fix="check the file with a Turtle validator, or give a CSV (term,level).",
            param="mapping",
        ) from exc
    names: dict[str, list[str]] = {}
    level: dict[str, str] = {}
    problems: list[str] = []
    for triple in triples:
        subject, predicate, value = (
            triple.subject.value,
            triple.predicate.value,
            triple.object.value,
        )
        if predicate in (_SKOS + "notation", _SKOS + "prefLabel", _SKOS + "altLabel"):
            names.setdefault(subject, []).append(value)
        elif predicate in _MATCHES and value.startswith(PREVENTION_SCHEME + "/"):
            found = _level_of(value)
            if found is None:
                problems.append(f"<{subject}> matches <{value}>, which is not a level")
            else:
                level[subject] = found
        elif predicate == _LEVEL_PROPERTY:
            found = _level_of(value)
            if found is None:
                problems.append(f"<{subject}> has the level '{value}'")
            else:
                level[subject] = found
    if problems:
        raise InputError(
            f"{len(problems)} mappings cannot be used: " + "; ".join(problems[:10]) + ".",
            path=file,
            fix="map terms to primary, secondary, tertiary or acute "
            f"(<{PREVENTION_SCHEME}/acute>).",
            param="mapping",
        )
    if not level:
        raise InputError(
            "maps no term to a prevention level.",
            path=file,
            fix=f"give each term skos:broadMatch <{PREVENTION_SCHEME}/LEVEL>.",
            param="mapping",
        )
    levels: dict[str, LevelMapping] = {}
    for subject, name in level.items():
        label = (names.get(subject) or [subject])[0]
        mapping = LevelMapping(
            name,
            f"your mapping ({file.name})",
            1.0,
            f"your mapping {file.name} puts '{label}' at {name}",
        )
        for key in (subject, *names.get(subject, ())):
            levels[_key(key)] = mapping
    return UserMapping(str(file), levels)


def _crosswalk_level(data: Mapping[str, Any]) -> LevelMapping | None:
    crosswalk = load_crosswalk()
    uri = str(data.get("term_uri") or "")
    if uri in crosswalk.by_iri:
        return crosswalk.by_iri[uri][1]
    code = str(data.get("code") or "").strip()
    taxonomy = str(data.get("taxonomy") or "").lower()
    if code:
        scheme = None
        if "eligibility" in taxonomy:
            scheme = OPEN_ELIGIBILITY
        elif "esd" in taxonomy or "lgsl" in taxonomy or "local government service" in taxonomy:
            scheme = LGSL
        if scheme is not None and (found := crosswalk.code(scheme, code)) is not None:
            return found[1]
    label = normalise_label(str(data.get("name") or ""))
    same = crosswalk.by_label.get(label) if label else None
    if same and len({m.level for _, m in same}) == 1:
        iri, best = max(same, key=lambda pair: pair[1].confidence)
        scheme = OPEN_ELIGIBILITY if iri.startswith(OPEN_ELIGIBILITY) else LGSL
        return LevelMapping(
            best.level,
            f"same label as {SCHEME_NAMES[scheme]} {iri.rsplit('/', 1)[1]}: {best.rule}",
            round(max(best.confidence - LABEL_PENALTY, 0.1), 2),
            f"'{data.get('name')}' has the label of {SCHEME_NAMES[scheme]} term "
            f"{iri.rsplit('/', 1)[1]}, which the crosswalk puts at {best.level}",
        )
    return None


def term_levels(
    lookup: GraphIndex, *, mapping: UserMapping | None = None
) -> dict[str, LevelMapping]:
    """Each taxonomy term's level (terms no mapping, crosswalk or rule places are left out)."""
    graph = lookup.graph
    parent: dict[str, str] = {}
    concept = NodeType.CONCEPT.value
    for child, broader, _ in lookup.edges(EdgeType.PART_OF):
        if lookup.type(child) == concept and lookup.type(broader) == concept:
            parent.setdefault(child, broader)
    found: dict[str, LevelMapping] = {}
    for term in lookup.nodes(concept):
        data = graph.nodes[term]
        chosen = None
        if mapping is not None:
            chosen = mapping.find(
                term, data.get("term_uri"), data.get("code"), data.get("name"), term.split(":")[-1]
            )
        if chosen is None:
            chosen = _crosswalk_level(data)
        if chosen is None:
            above, seen, node = [], {term}, term
            while node in parent and parent[node] not in seen:
                node = parent[node]
                seen.add(node)
                above.append(lookup.name(node))
            chosen = classify_term(
                lookup.name(term),
                description=str(data.get("description") or ""),
                broader=above,
            )
        if chosen is not None:
            found[term] = chosen
    return found


def _own_words(name: str, description: str) -> LevelMapping | None:
    rule = classify_text(name)
    if rule is not None:
        return LevelMapping(
            rule.level,
            f"service name: {rule.name}",
            rule.confidence,
            f"no taxonomy term places it; its name '{name}' matches the rule '{rule.name}'",
        )
    rule = classify_text(description)
    if rule is not None:
        return LevelMapping(
            rule.level,
            f"service description: {rule.name}",
            round(max(rule.confidence - DESCRIPTION_PENALTY, 0.1), 2),
            f"no taxonomy term places it; its description matches the rule '{rule.name}'",
        )
    return None


def service_levels(
    lookup: GraphIndex,
    *,
    mapping: UserMapping | None = None,
    services: Iterable[str] | None = None,
) -> dict[str, ServiceLevel]:
    """Each service's level (services nothing places are left out); see the module notes."""
    graph = lookup.graph
    terms = term_levels(lookup, mapping=mapping)
    found: dict[str, ServiceLevel] = {}
    chosen_services = lookup.nodes(NodeType.SERVICE.value) if services is None else services
    for service in chosen_services:
        data = graph.nodes[service]
        stated = data.get("prevention_level")
        if isinstance(stated, str) and stated.strip().lower() in PREVENTION_LEVELS:
            level = stated.strip().lower()
            found[service] = ServiceLevel(
                LevelMapping(level, "stated by the source", 1.0, f"its source says {level}"), ""
            )
            continue
        placed = [(t, terms[t]) for t in sorted(lookup.terms.get(service, ())) if t in terms]
        if placed:
            term, best = max(placed, key=lambda pair: pair[1].confidence)
            found[service] = ServiceLevel(best, lookup.name(term))
            continue
        own = _own_words(lookup.name(service), str(data.get("description") or ""))
        if own is not None:
            found[service] = ServiceLevel(own, "")
    return found
