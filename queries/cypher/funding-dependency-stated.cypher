// funding-dependency, part 2: who a directory says funds each organisation (FUNDS edges to the
// organisation, or to a service it provides), without amounts.
// Parameters: $workspace.
MATCH (f:Organization)-[:FUNDS]->(t)
WHERE f.cg_workspace = $workspace
WITH f, t,
     CASE WHEN t:Service
          THEN COLLECT { MATCH (p:Organization)-[:PROVIDES]->(t) RETURN p.id ORDER BY p.id }
          ELSE [t.id] END AS owners
WHERE size(owners) > 0 AND owners[0] <> f.id
MATCH (owner:Organization {id: owners[0]})
RETURN DISTINCT owner.id AS organization, coalesce(owner.name, owner.id) AS name,
       f.id AS funder, coalesce(f.name, f.id) AS funder_name
