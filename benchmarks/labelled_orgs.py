"""A labelled set of organisation matches from the real 360Giving files, and how to score it.

Truth comes from registered identifiers: two mentions (in different files) of
one charity or company number are the same organisation; mentions of two
different numbers are not. The resolver is then run on the names and contact
fields *with the identifiers hidden*, and its merges are scored pairwise.
Used by bench_resolution.py and by tests/test_matching.py.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from civicgraph.graph.matching import OrgRecord, links_among
from civicgraph.ingest._values import normalise_postcode
from civicgraph.ingest.giving360._flat import unflatten
from civicgraph.ontology import normalise_name, normalise_org_id, parse_org_id

REGISTERS = ("GB-CHC", "GB-COH", "GB-SC", "GB-NIC")


@dataclass
class Labelled:
    records: list[OrgRecord]
    truth: dict[str, str]
    """Record key -> the organisation it really is (one of its registered org-ids)."""
    registered: dict[str, frozenset[str]]
    """Organisation -> every registered org-id known for it."""


def _ids(entry: dict[str, object], grant: dict[str, object]) -> set[str]:
    """Every registered org-id a mention carries: its id, charity and company numbers."""
    found = set()
    raw = entry.get("id")
    org_id = parse_org_id(str(raw)) if raw else None
    if org_id and org_id.startswith(REGISTERS):
        found.add(org_id)
    for field, scheme in (("charityNumber", "charity"), ("companyNumber", "GB-COH")):
        number = entry.get(field)
        normalised = normalise_org_id(scheme, number) if number else None
        if normalised:
            found.add(normalised)
    additional = grant.get("additional_data")
    if isinstance(additional, dict) and entry is (grant.get("recipientOrganization") or [None])[0]:
        for info in additional.get("recipientOrgInfos") or []:
            for other in info.get("orgIDs") or []:
                parsed = parse_org_id(str(other))
                if parsed and parsed.startswith(REGISTERS):
                    found.add(parsed)
    return found


def labelled_set(folder: Path) -> Labelled:
    """One record per (file, organisation) mention in the 360Giving samples, with its truth.

    Org-ids that one mention carries together (a charity and a company number)
    are one organisation. The records keep names and postcodes only: the
    identifiers are hidden from the resolver.
    """
    mentions: list[tuple[str, str, str, object]] = []  # file, name, first id, postcode
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for path in sorted(folder.glob("*.json")):
        grants = json.loads(path.read_text(encoding="utf-8"))["grants"]
        for grant in grants:
            if "RecipientOrgName" in grant:  # the 2016 prototype's flattened keys
                grant, _ = unflatten(grant)
            for role in ("recipientOrganization", "fundingOrganization"):
                entries = grant.get(role) or []
                entry = entries[0] if isinstance(entries, list) and entries else entries
                if not isinstance(entry, dict) or not entry.get("name"):
                    continue
                ids = sorted(_ids(entry, grant))
                if not ids:
                    continue
                for other in ids[1:]:
                    parent[find(other)] = find(ids[0])
                mentions.append((path.stem, str(entry["name"]), ids[0], entry.get("postalCode")))
    records: list[OrgRecord] = []
    truth: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for stem, name, first_id, postcode in mentions:
        entity = find(first_id)
        if (stem, entity) in seen:
            continue
        seen.add((stem, entity))
        key = f"{stem}:{entity}"
        norm = normalise_name(name)
        records.append(
            OrgRecord(
                key=key,
                name=name,
                norm=norm,
                tokens=tuple(norm.split()),
                postcodes=frozenset(
                    [normalise_postcode(str(postcode)).upper()] if postcode else []
                ),
                own_postcode=normalise_postcode(str(postcode)).upper() if postcode else None,
                domain=None,
                phone=None,
                email=None,
                org_ids=frozenset(),
                sources=frozenset((stem,)),
            )
        )
        truth[key] = entity
    registered: dict[str, set[str]] = defaultdict(set)
    for org_id in parent:
        registered[find(org_id)].add(org_id)
    return Labelled(records, truth, {k: frozenset(v) for k, v in registered.items()})


def _known_apart(labelled: Labelled, a: str, b: str) -> bool:
    """Two organisations are known to differ: one register gives them different numbers."""
    schemes_a = {i.rsplit("-", 1)[0] for i in labelled.registered[a]}
    schemes_b = {i.rsplit("-", 1)[0] for i in labelled.registered[b]}
    return bool(schemes_a & schemes_b)


def score(labelled: Labelled) -> dict[str, float | int]:
    """Pairwise precision and recall of the certain name links, over all pairs and hard pairs."""
    parent: dict[str, str] = {r.key: r.key for r in labelled.records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links_among(labelled.records):
        if link.certain:
            parent[find(link.a)] = find(link.b)
    by_key = {r.key: r for r in labelled.records}
    by_entity: dict[str, list[str]] = defaultdict(list)
    for key, entity in labelled.truth.items():
        by_entity[entity].append(key)
    true_pairs = {frozenset(p) for keys in by_entity.values() for p in combinations(keys, 2)}
    clusters: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        clusters[find(key)].append(key)
    predicted = {frozenset(p) for keys in clusters.values() for p in combinations(keys, 2)}
    # A predicted pair of two organisations whose relation nobody knows (a charity number
    # and an unrelated company number) is neither right nor wrong: it is left out.
    judged = {
        p
        for p in predicted
        if p in true_pairs or _known_apart(labelled, *(labelled.truth[k] for k in p))
    }
    hard_true = {p for p in true_pairs if len({by_key[k].norm for k in p}) > 1}
    hard_judged = {p for p in judged if len({by_key[k].norm for k in p}) > 1}
    tp, hard_tp = len(judged & true_pairs), len(hard_judged & hard_true)
    return {
        "records": len(labelled.records),
        "true_pairs": len(true_pairs),
        "predicted_pairs": len(predicted),
        "judged_pairs": len(judged),
        "precision": tp / len(judged) if judged else 1.0,
        "recall": tp / len(true_pairs) if true_pairs else 1.0,
        "hard_true_pairs": len(hard_true),
        "hard_precision": hard_tp / len(hard_judged) if hard_judged else 1.0,
        "hard_recall": hard_tp / len(hard_true) if hard_true else 1.0,
    }
