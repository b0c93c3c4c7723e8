// Snapshot history, facts: what one snapshot said about each thing it listed or placed: the
// compared properties (JSON text) and the buildings and areas it put the thing in.
// Parameters: $workspace, $snapshot (a snapshot's number).
MATCH (f:SnapshotFact)
WHERE f.cg_workspace = $workspace AND f.snapshot = $snapshot
RETURN f.node AS node, f.type AS type, f.props AS props, f.at_location AS at_location,
       f.in_area AS in_area, f.benefits_area AS benefits_area
ORDER BY node
