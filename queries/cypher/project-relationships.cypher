// Projection, relationships: every relationship of the given types this workspace pushed,
// with its ends and properties (its key tells parallel relationships apart, such as one
// referral route's periods).
// Parameters: $workspace, $types (relationship types, e.g. ["PROVIDES", "REFERS_TO"]).
MATCH (a)-[r]->(b)
WHERE r.cg_workspace = $workspace AND type(r) IN $types
RETURN a.id AS source, b.id AS target, type(r) AS type, r.key AS key,
       properties(r) AS properties
ORDER BY source, target, key
