// Snapshot history, snapshots: every snapshot of every source this workspace pushed, with
// the day it describes (what the changes twins compare, like `civicgraph sources`).
// Parameters: $workspace.
MATCH (s:Snapshot)
WHERE s.cg_workspace = $workspace
RETURN s.snapshot AS snapshot, s.source AS source, s.date AS date
ORDER BY source, date, snapshot
