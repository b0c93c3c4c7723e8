// Projection, nodes: every node of the given labels this workspace pushed, with its
// properties, for a query that runs its own algorithm on them (the projection a Graph Data
// Science graph would take).
// Parameters: $workspace, $labels (node types, e.g. ["Organization", "Service"]).
MATCH (n)
WHERE n.cg_workspace = $workspace AND any(label IN labels(n) WHERE label IN $labels)
RETURN n.id AS id,
       [label IN labels(n) WHERE label IN $labels][0] AS type,
       properties(n) AS properties
ORDER BY id
