"""The vocabulary of the civicgraph property graph, as data.

Every node type, edge type and documented property lives here, with the
edges' allowed endpoints and each term's RDF alignment. The store, the
ingesters, the exports and the Cypher read it from here; nothing else
spells a type name.

Type names are a public contract (they appear in ``stats``, as Cypher labels
and in RDF): add new ones, never rename these. Refer to them through
:class:`NodeType` and :class:`EdgeType` so that a misspelling fails at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "EDGE_TYPES",
    "IMD_DOMAINS",
    "NODE_TYPES",
    "Datatype",
    "EdgeType",
    "EdgeTypeDef",
    "NodeType",
    "NodeTypeDef",
    "PropertyDef",
    "edge_allowed",
    "node_property",
]


class NodeType(StrEnum):
    """The node types of the graph."""

    ORGANIZATION = "Organization"
    SERVICE = "Service"
    LOCATION = "Location"
    AREA = "Area"
    GRANT = "Grant"
    CONCEPT = "Concept"
    ACTIVITY = "Activity"


class EdgeType(StrEnum):
    """The edge (relationship) types of the graph."""

    PROVIDES = "PROVIDES"
    AT_LOCATION = "AT_LOCATION"
    OPERATES = "OPERATES"
    IN_AREA = "IN_AREA"
    SERVES_AREA = "SERVES_AREA"
    PART_OF = "PART_OF"
    CLASSIFIED_AS = "CLASSIFIED_AS"
    REFERS_TO = "REFERS_TO"
    PARTNERS_WITH = "PARTNERS_WITH"
    AWARDS = "AWARDS"
    AWARDED_TO = "AWARDED_TO"
    BENEFITS_AREA = "BENEFITS_AREA"
    FUNDS = "FUNDS"
    HAPPENS_AT = "HAPPENS_AT"
    RUNS = "RUNS"


class Datatype(StrEnum):
    """Value types a property may hold. ``LIST`` holds strings; ``JSON`` nested records."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    URI = "uri"
    EMAIL = "email"
    LIST = "list"
    JSON = "json"


@dataclass(frozen=True)
class PropertyDef:
    """One documented property of a node or edge type."""

    name: str
    datatype: Datatype
    description: str
    rdf: str | None = None
    """The RDF property it maps to (a CURIE), where a standard one fits."""


@dataclass(frozen=True)
class NodeTypeDef:
    """A node type: what it is, how its ids are made, its properties."""

    type: NodeType
    description: str
    id_scheme: str
    slug: str
    """The path segment of the type in IRIs (``organization``)."""
    rdf_types: tuple[str, ...]
    properties: Mapping[str, PropertyDef] = field(default_factory=dict)


@dataclass(frozen=True)
class EdgeTypeDef:
    """An edge type: what it means, its allowed endpoints, its properties."""

    type: EdgeType
    description: str
    endpoints: frozenset[tuple[NodeType, NodeType]]
    rdf: str
    properties: Mapping[str, PropertyDef] = field(default_factory=dict)
    discriminator: str | None = None
    """A property whose values keep parallel edges apart (REFERS_TO by ``period``)."""


def _props(*defs: PropertyDef) -> Mapping[str, PropertyDef]:
    return MappingProxyType({d.name: d for d in defs})


_P = PropertyDef
_D = Datatype

IMD_DOMAINS = {
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "housing": "Barriers to Housing and Services",
    "environment": "Living Environment",
}
"""The seven domains of the English Indices of Deprivation 2019, by property prefix."""

_PLACED = _props(
    _P(
        "method",
        _D.STRING,
        "How it was placed: given by the source, postcode, boundary, centroid or code.",
    ),
    _P("distance_km", _D.DECIMAL, "Placed by nearest centroid: how far that centroid is."),
)

_COMMON = (
    _P("name", _D.STRING, "The name people know it by.", "schema:name"),
    _P("alternate_name", _D.STRING, "Another name or acronym.", "schema:alternateName"),
    _P("description", _D.TEXT, "A description in the source's words.", "schema:description"),
)
_CONTACT = (
    _P("email", _D.EMAIL, "A contact email address.", "schema:email"),
    _P("url", _D.URI, "A web page about it.", "schema:url"),
    _P("phones", _D.JSON, "Telephone numbers: number, extension, type, description."),
    _P("contacts", _D.JSON, "Named contacts: name, title, department, email, phones."),
)
_FUNDING = (
    _P("funding", _D.LIST, "Funding statements in the source's words (HSDS funding.source)."),
    _P(
        "funding_mix",
        _D.LIST,
        "The kinds of funding its funding statements name (donations, fees, government-county"
        "...): the skos:notation of concepts in the funding-kind scheme (ontology/"
        "funding_kinds.ttl). Statements naming a funder become FUNDS edges instead.",
    ),
)

NODE_TYPES: Mapping[NodeType, NodeTypeDef] = MappingProxyType(
    {
        NodeType.ORGANIZATION: NodeTypeDef(
            NodeType.ORGANIZATION,
            "A charity, council, NHS body, company or community group. A funder is an "
            "organisation that awards grants or funds services.",
            "An org-id where one is known (GB-CHC-1234567, GB-COH-01234567, GB-LAE-MAN), "
            "else '<source>:organization:<local id>'.",
            "organization",
            ("schema:Organization", "org:Organization"),
            _props(
                *_COMMON,
                *_CONTACT,
                *_FUNDING,
                _P("website", _D.URI, "The organisation's website.", "schema:url"),
                _P("kind", _D.STRING, "charity, council, NHS body, company, community group..."),
                _P("org_ids", _D.LIST, "Every org-id known for it, normalised.", "org:identifier"),
                _P("identifiers", _D.JSON, "Identifiers as the sources gave them."),
                _P("tax_status", _D.STRING, "Tax status as given by the source."),
                _P("tax_id", _D.STRING, "Tax or registration number as given."),
                _P(
                    "year_incorporated", _D.INTEGER, "Year of incorporation.", "schema:foundingDate"
                ),
                _P("legal_status", _D.STRING, "Legal form as given."),
                _P("logo", _D.URI, "A logo image.", "schema:logo"),
                _P("uri", _D.URI, "A persistent identifier for it elsewhere.", "schema:sameAs"),
                _P("parent_organization_id", _D.STRING, "The source's id of its parent."),
                _P("programs", _D.JSON, "Programmes it runs."),
                _P(
                    "sector",
                    _D.STRING,
                    "The sector it works in, where a source states it (else derived from the "
                    "taxonomy of its services).",
                ),
            ),
        ),
        NodeType.SERVICE: NodeTypeDef(
            NodeType.SERVICE,
            "What an organisation provides to people.",
            "'<source>:service:<local id>'.",
            "service",
            ("schema:Service", "cpsv:PublicService"),
            _props(
                *_COMMON,
                *_CONTACT,
                *_FUNDING,
                _P("status", _D.STRING, "active, inactive, defunct or temporarily closed."),
                _P("organization_id", _D.STRING, "The source's id of the providing organisation."),
                _P("interpretation_services", _D.TEXT, "Interpretation available."),
                _P("application_process", _D.TEXT, "How to apply or be referred."),
                _P("fees", _D.TEXT, "Fees, in the source's words."),
                _P("fees_description", _D.TEXT, "Fees, in the source's words."),
                _P("wait_time", _D.STRING, "Typical wait."),
                _P("accreditations", _D.TEXT, "Accreditations held."),
                _P("licenses", _D.TEXT, "Licences held."),
                _P("eligibility_description", _D.TEXT, "Who is eligible."),
                _P("minimum_age", _D.INTEGER, "Youngest eligible age."),
                _P("maximum_age", _D.INTEGER, "Oldest eligible age."),
                _P("assured_date", _D.DATE, "When the record was last quality-assured."),
                _P(
                    "last_modified", _D.DATETIME, "When the source last changed it.", "dct:modified"
                ),
                _P("alert", _D.TEXT, "A temporary notice."),
                _P("program", _D.STRING, "The programme it belongs to."),
                _P("schedules", _D.JSON, "Opening times."),
                _P("languages", _D.LIST, "Languages it is offered in.", "schema:availableLanguage"),
                _P("service_areas", _D.JSON, "Areas it serves, as the source gave them."),
                _P("cost_options", _D.JSON, "Prices."),
                _P("required_documents", _D.LIST, "Documents people must bring."),
                _P("eligibility", _D.LIST, "Eligibility statements."),
                _P("payments_accepted", _D.LIST, "Payment methods accepted."),
                _P("attributes", _D.JSON, "Other attributes the source attached."),
                _P(
                    "sector",
                    _D.STRING,
                    "The sector it belongs to, where a source states it (else derived from its "
                    "taxonomy terms).",
                ),
            ),
        ),
        NodeType.LOCATION: NodeTypeDef(
            NodeType.LOCATION,
            "A building, facility or site: the built dimension. Several directory "
            "locations at one address are one building.",
            "'uprn:<UPRN>' where a UPRN is known, else '<source>:location:<local id>'.",
            "location",
            ("schema:Place", "org:Site"),
            _props(
                *_COMMON,
                _P("location_type", _D.STRING, "physical, postal or virtual."),
                _P("latitude", _D.DECIMAL, "WGS84 latitude.", "geo:lat"),
                _P("longitude", _D.DECIMAL, "WGS84 longitude.", "geo:long"),
                _P("address", _D.STRING, "The address on one line.", "schema:address"),
                _P("address_1", _D.STRING, "First line of the address.", "schema:streetAddress"),
                _P("city", _D.STRING, "Town or city.", "schema:addressLocality"),
                _P("region", _D.STRING, "Region.", "schema:addressRegion"),
                _P("state_province", _D.STRING, "State, province or county."),
                _P("postcode", _D.STRING, "Postal code, normalised.", "schema:postalCode"),
                _P("country", _D.STRING, "Country code.", "schema:addressCountry"),
                _P("uprn", _D.STRING, "Unique Property Reference Number."),
                _P("addresses", _D.JSON, "Every address the source gave."),
                _P("transportation", _D.TEXT, "How to get there."),
                _P("accessibility", _D.JSON, "Accessibility features."),
                _P("languages", _D.LIST, "Languages spoken there."),
                _P("url", _D.URI, "A web page about it.", "schema:url"),
                _P("organization_id", _D.STRING, "The source's id of the operating organisation."),
                _P("facility_kind", _D.STRING, "Kind of community facility (library, ...)."),
                _P("ownership", _D.STRING, "Who owns it: council, community, private..."),
                _P("owner", _D.STRING, "The owner's name, as an asset register gives it."),
                _P(
                    "asset_transfer",
                    _D.STRING,
                    "A community asset transfer, as the register records it (date or note).",
                ),
                _P("email", _D.EMAIL, "A contact email address.", "schema:email"),
                _P("phones", _D.JSON, "Telephone numbers: number, extension, type, description."),
                _P("opening_hours", _D.STRING, "Opening hours (OpenStreetMap syntax)."),
                _P("osm_id", _D.STRING, "OpenStreetMap element: node/123, way/456."),
                _P("operator", _D.STRING, "Who runs it, by name, as the source gives it."),
                _P(
                    "acv_listed",
                    _D.DATE,
                    "When it was listed as an Asset of Community Value (Localism Act 2011).",
                ),
                _P(
                    "acv_expires",
                    _D.DATE,
                    "When its ACV listing ends: as the register states, else five years after "
                    "listing.",
                ),
                _P(
                    "acv_expiry_basis",
                    _D.STRING,
                    "Where acv_expires came from: 'stated' or 'five years after listing'.",
                ),
                _P("moratorium_start", _D.DATE, "When a moratorium on its sale began."),
                _P("moratorium_end", _D.DATE, "When that moratorium ends or ended."),
                _P(
                    "asset_transfer_date",
                    _D.DATE,
                    "When it passed to a community organisation (community asset transfer).",
                ),
                _P(
                    "listed_by",
                    _D.STRING,
                    "The directory a collated venue register took it from (warm spaces' "
                    "_source); listings of different directories may be one building.",
                ),
            ),
        ),
        NodeType.AREA: NodeTypeDef(
            NodeType.AREA,
            "A geography (LSOA, MSOA, ward, local authority, region) with its "
            "population and deprivation.",
            "Its ONS GSS code (E01000001).",
            "area",
            ("schema:AdministrativeArea",),
            _props(
                *_COMMON,
                _P("code", _D.STRING, "ONS GSS code.", "dct:identifier"),
                _P("level", _D.STRING, "oa, lsoa, msoa, ward, lad, region, country."),
                _P("vintage", _D.STRING, "The year of the code set (2011, 2021)."),
                _P("population", _D.INTEGER, "Resident population."),
                _P("imd_rank", _D.INTEGER, "IMD rank (1 is most deprived)."),
                _P("imd_decile", _D.INTEGER, "IMD decile (1 is most deprived)."),
                *(
                    _P(
                        f"{domain}_rank",
                        _D.INTEGER,
                        f"IoD 2019 {label} domain rank (1 is most deprived).",
                    )
                    for domain, label in IMD_DOMAINS.items()
                ),
                _P("population_children", _D.INTEGER, "Residents aged 0-15."),
                _P("population_older", _D.INTEGER, "Residents aged 60 and over."),
                _P("population_year", _D.STRING, "The year the population figures are for."),
                _P("latitude", _D.DECIMAL, "Centroid latitude.", "geo:lat"),
                _P("longitude", _D.DECIMAL, "Centroid longitude.", "geo:long"),
                _P("geometry", _D.JSON, "Its boundary as a GeoJSON geometry (WGS84)."),
                _P("introduced", _D.STRING, "A postcode's month of introduction (YYYY-MM)."),
                _P("terminated", _D.STRING, "A postcode's month of termination (YYYY-MM)."),
            ),
        ),
        NodeType.GRANT: NodeTypeDef(
            NodeType.GRANT,
            "One award of money (360Giving).",
            "The grant's 360Giving identifier (360G-...).",
            "grant",
            ("schema:MonetaryGrant",),
            _props(
                _P("title", _D.STRING, "The grant's title.", "schema:name"),
                _P("description", _D.TEXT, "What it is for.", "schema:description"),
                _P("amount", _D.DECIMAL, "Amount awarded.", "schema:amount"),
                _P("currency", _D.STRING, "ISO 4217 currency code.", "schema:currency"),
                _P("award_date", _D.DATE, "Date awarded.", "schema:startDate"),
                _P("planned_start", _D.DATE, "Planned start."),
                _P("planned_end", _D.DATE, "Planned end.", "schema:endDate"),
                _P("programme", _D.STRING, "The funder's programme."),
            ),
        ),
        NodeType.CONCEPT: NodeTypeDef(
            NodeType.CONCEPT,
            "A taxonomy term: a service type, need or circumstance.",
            "'<source>:concept:<term id>'.",
            "concept",
            ("skos:Concept",),
            _props(
                _P("name", _D.STRING, "The term.", "skos:prefLabel"),
                _P("code", _D.STRING, "The term's code in its taxonomy.", "skos:notation"),
                _P("description", _D.TEXT, "What the term means.", "skos:definition"),
                _P("taxonomy", _D.STRING, "The taxonomy (vocabulary) it belongs to."),
                _P("term_uri", _D.URI, "The term's own URI.", "skos:exactMatch"),
                _P("facet", _D.STRING, "The taxonomy facet (service, need, ...)."),
            ),
        ),
        NodeType.ACTIVITY: NodeTypeDef(
            NodeType.ACTIVITY,
            "Something people take part in: a session series, a facility slot, an event, a "
            "course, a volunteering role, a warm-space offer, a club. The strong-communities "
            "dimension: it happens at a location, an organisation runs it, and it has a schedule.",
            "'<source>:activity:<local id>' (an OpenActive item's @id or RPDE id, a "
            "volunteering opportunity's id, a warm-space listing's directory and number).",
            "activity",
            ("schema:Event",),
            _props(
                *_COMMON,
                _P(
                    "activity_kind",
                    _D.STRING,
                    "session series, facility use, event, course, volunteering role, warm space "
                    "or club.",
                ),
                _P(
                    "opportunity_type",
                    _D.STRING,
                    "The source's own type (OpenActive SessionSeries, FacilityUse, Event, "
                    "CourseInstance; a volunteering Activity).",
                ),
                _P(
                    "categories",
                    _D.LIST,
                    "What it is, in words: OpenActive activity-list labels, volunteering causes, "
                    "the source's categories.",
                    "schema:keywords",
                ),
                _P("url", _D.URI, "A web page about it (to book or apply).", "schema:url"),
                _P("status", _D.STRING, "scheduled, cancelled, postponed... (eventStatus)."),
                _P("start_date", _D.DATE, "When it begins.", "schema:startDate"),
                _P("end_date", _D.DATE, "When it ends.", "schema:endDate"),
                _P(
                    "schedule",
                    _D.JSON,
                    "Its weekly pattern: day, start and end time, frequency, dates "
                    "(schema:Schedule / OpenActive PartialSchedule).",
                    "schema:eventSchedule",
                ),
                _P(
                    "opening_hours",
                    _D.STRING,
                    "Opening hours in OpenStreetMap's compact form (Mo 10:00-12:00).",
                ),
                _P("sessions", _D.INTEGER, "How many dated sessions (occurrences) are known."),
                _P("first_session", _D.DATETIME, "When the first known session starts."),
                _P("last_session", _D.DATETIME, "When the last known session starts."),
                _P(
                    "session_times",
                    _D.JSON,
                    "The known sessions: start and end (ISO 8601), in order.",
                    "schema:subEvent",
                ),
                _P(
                    "sessions_per_week",
                    _D.DECIMAL,
                    "How many times a week it happens: from its weekly schedule, else its "
                    "sessions over the weeks they span.",
                ),
                _P("minimum_age", _D.INTEGER, "Youngest who may take part."),
                _P("maximum_age", _D.INTEGER, "Oldest who may take part."),
                _P("gender_restriction", _D.STRING, "none, female only or male only."),
                _P("capacity", _D.INTEGER, "Places per session (maximumAttendeeCapacity)."),
                _P(
                    "free",
                    _D.BOOLEAN,
                    "Whether taking part costs nothing.",
                    "schema:isAccessibleForFree",
                ),
                _P("prices", _D.JSON, "Offers: name, price, currency."),
                _P(
                    "listed_by",
                    _D.STRING,
                    "The directory a collated register took it from (warm spaces' _source).",
                ),
                _P(
                    "contacts_masked",
                    _D.INTEGER,
                    "How many e-mail addresses and phone numbers were removed from its shown "
                    "text (a person's contact details are never stored).",
                ),
                _P(
                    "organization_id",
                    _D.STRING,
                    "The source's id of the organisation that runs it.",
                ),
                _P(
                    "last_modified", _D.DATETIME, "When the source last changed it.", "dct:modified"
                ),
            ),
        ),
    }
)

_N = NodeType
_ORG, _SVC, _LOC, _AREA, _GRANT, _CONCEPT, _ACT = (
    _N.ORGANIZATION,
    _N.SERVICE,
    _N.LOCATION,
    _N.AREA,
    _N.GRANT,
    _N.CONCEPT,
    _N.ACTIVITY,
)

EDGE_TYPES: Mapping[EdgeType, EdgeTypeDef] = MappingProxyType(
    {
        EdgeType.PROVIDES: EdgeTypeDef(
            EdgeType.PROVIDES,
            "An organisation provides a service.",
            frozenset({(_ORG, _SVC)}),
            "schema:provider",  # inverse direction in schema.org; see the ontology
        ),
        EdgeType.AT_LOCATION: EdgeTypeDef(
            EdgeType.AT_LOCATION,
            "A service is delivered at a location.",
            frozenset({(_SVC, _LOC)}),
            "schema:availableAtOrFrom",
            _props(
                _P("description", _D.TEXT, "What happens there."),
                _P("service_at_location_id", _D.STRING, "The source's service_at_location id."),
            ),
        ),
        EdgeType.OPERATES: EdgeTypeDef(
            EdgeType.OPERATES,
            "An organisation operates (runs, occupies) a location.",
            frozenset({(_ORG, _LOC)}),
            "org:hasSite",
        ),
        EdgeType.IN_AREA: EdgeTypeDef(
            EdgeType.IN_AREA,
            "A location lies in an area.",
            frozenset({(_LOC, _AREA)}),
            "schema:containedInPlace",
            _PLACED,
        ),
        EdgeType.SERVES_AREA: EdgeTypeDef(
            EdgeType.SERVES_AREA,
            "A service serves the people of an area.",
            frozenset({(_SVC, _AREA)}),
            "schema:areaServed",
            _props(
                _P(
                    "method",
                    _D.STRING,
                    "How it was placed: given by the source, postcode, code, name.",
                )
            ),
        ),
        EdgeType.PART_OF: EdgeTypeDef(
            EdgeType.PART_OF,
            "Containment: an area in a larger area, an organisation in its parent, a "
            "taxonomy term under a broader term.",
            frozenset({(_AREA, _AREA), (_ORG, _ORG), (_CONCEPT, _CONCEPT)}),
            "schema:isPartOf",
            _props(
                _P(
                    "lookup",
                    _D.STRING,
                    "The area lookup that puts an area in a larger one, with its codes' years "
                    "(LSOA 2011 -> LAD 2019).",
                )
            ),
        ),
        EdgeType.CLASSIFIED_AS: EdgeTypeDef(
            EdgeType.CLASSIFIED_AS,
            "A service or an activity is classified under a taxonomy term (an OpenActive "
            "activity, a volunteering cause).",
            frozenset({(_SVC, _CONCEPT), (_ACT, _CONCEPT)}),
            "dct:subject",
        ),
        EdgeType.REFERS_TO: EdgeTypeDef(
            EdgeType.REFERS_TO,
            "People are referred from one service or organisation to another.",
            frozenset({(_SVC, _SVC), (_SVC, _ORG), (_ORG, _SVC), (_ORG, _ORG)}),
            "cg:refersTo",
            _props(
                _P("count", _D.INTEGER, "Number of referrals in the period."),
                _P("period", _D.STRING, "The period the count covers (2024-Q1, 2024)."),
                _P("outcome", _D.STRING, "What came of them."),
                _P("outcomes", _D.JSON, "Counts by outcome, where rows gave several."),
            ),
            discriminator="period",
        ),
        EdgeType.PARTNERS_WITH: EdgeTypeDef(
            EdgeType.PARTNERS_WITH,
            "A declared tie between organisations.",
            frozenset({(_ORG, _ORG)}),
            "cg:partnersWith",
            _props(
                _P("kind", _D.STRING, "partnership, consortium, shared board, ..."),
                _P("start_date", _D.DATE, "When it began."),
                _P("end_date", _D.DATE, "When it ended."),
                _P("name", _D.STRING, "The partnership's or consortium's name."),
                _P("description", _D.TEXT, "What the tie is for, in the source's words."),
            ),
            discriminator="kind",
        ),
        EdgeType.AWARDS: EdgeTypeDef(
            EdgeType.AWARDS,
            "A funder awards a grant.",
            frozenset({(_ORG, _GRANT)}),
            "schema:funder",  # inverse direction in schema.org; see the ontology
        ),
        EdgeType.AWARDED_TO: EdgeTypeDef(
            EdgeType.AWARDED_TO,
            "A grant is awarded to a recipient.",
            frozenset({(_GRANT, _ORG)}),
            "schema:fundedItem",
        ),
        EdgeType.BENEFITS_AREA: EdgeTypeDef(
            EdgeType.BENEFITS_AREA,
            "A grant's money is spent for the people of an area.",
            frozenset({(_GRANT, _AREA)}),
            "schema:areaServed",
            _props(
                _P(
                    "method",
                    _D.STRING,
                    "How it was placed: given by the source, postcode, code, name.",
                )
            ),
        ),
        EdgeType.FUNDS: EdgeTypeDef(
            EdgeType.FUNDS,
            "An organisation funds another or a service, where only a funding statement exists.",
            frozenset({(_ORG, _ORG), (_ORG, _SVC)}),
            "schema:funder",
            _props(_P("statement", _D.TEXT, "The funding statement it came from.")),
        ),
        EdgeType.HAPPENS_AT: EdgeTypeDef(
            EdgeType.HAPPENS_AT,
            "An activity happens at a location (its venue).",
            frozenset({(_ACT, _LOC)}),
            "schema:location",
        ),
        EdgeType.RUNS: EdgeTypeDef(
            EdgeType.RUNS,
            "An organisation runs (organises) an activity.",
            frozenset({(_ORG, _ACT)}),
            "schema:organizer",  # inverse direction in schema.org; see the ontology
        ),
    }
)


def edge_allowed(edge_type: EdgeType, source: NodeType, target: NodeType) -> bool:
    """Whether an edge of ``edge_type`` may run from a ``source`` node to a ``target`` node.

    Examples
    --------
    >>> edge_allowed(EdgeType.PROVIDES, NodeType.ORGANIZATION, NodeType.SERVICE)
    True
    >>> edge_allowed(EdgeType.PROVIDES, NodeType.SERVICE, NodeType.ORGANIZATION)
    False
    """
    return (source, target) in EDGE_TYPES[edge_type].endpoints


def node_property(node_type: NodeType, name: str) -> PropertyDef | None:
    """The documented definition of a node property, or ``None`` if it is not documented.

    Undocumented properties are allowed: what a source gives that does not map is
    kept under its own name rather than dropped.
    """
    return NODE_TYPES[node_type].properties.get(name)
