// funding-dependency, part 1: money from each funder to each recipient, per currency stated
// ('' when none); a grant with several funders is shared equally between them.
// Parameters: $workspace, $currency (null: every currency, each on its own).
MATCH (g:Grant)
WHERE g.cg_workspace = $workspace AND g.amount IS NOT NULL
  AND ($currency IS NULL OR coalesce(g.currency, '') = $currency)
WITH g, COLLECT { MATCH (f:Organization)-[:AWARDS]->(g) RETURN f { .id, .name } } AS funders
MATCH (g)-[:AWARDED_TO]->(r:Organization)
UNWIND (CASE WHEN size(funders) = 0 THEN [null] ELSE funders END) AS funder
RETURN r.id AS organization, coalesce(r.name, r.id) AS name, coalesce(g.currency, '') AS currency,
       funder.id AS funder, coalesce(funder.name, funder.id) AS funder_name,
       sum(CASE WHEN funder IS NULL THEN 0.0 ELSE toFloat(g.amount) / size(funders) END) AS amount,
       count(DISTINCT g) AS grants
