// funders: per funder, its grants, and per currency stated ('' when none) its money, how
// much of it reaches areas with an IMD decile and how much the most deprived decile;
// its recipients and areas. Currencies are never added together.
// Parameters: $workspace (the pushing workspace's id), $currency (null: every currency).
MATCH (f:Organization)
WHERE f.cg_workspace = $workspace
  AND (EXISTS { (f)-[:AWARDS]->(:Grant) } OR EXISTS { (f)-[:FUNDS]->() })
CALL (f) {
  OPTIONAL MATCH (f)-[:AWARDS]->(g:Grant)
  RETURN count(g) AS grants
}
CALL (f) {
  OPTIONAL MATCH (f)-[:AWARDS]->(g:Grant)
  WHERE g.amount IS NOT NULL
  WITH toFloat(g.amount) AS amount, coalesce(g.currency, '') AS currency, g,
       COLLECT { MATCH (g)-[:BENEFITS_AREA]->(a:Area) WHERE a.imd_decile IS NOT NULL
                 RETURN a.imd_decile } AS deciles
  WITH currency,
       count(g) AS priced,
       sum(coalesce(amount, 0.0)) AS total,
       sum(CASE WHEN size(deciles) > 0 THEN amount ELSE 0.0 END) AS mapped,
       sum(CASE WHEN size(deciles) > 0
                THEN amount * size([d IN deciles WHERE d = 1]) / size(deciles)
                ELSE 0.0 END) AS deprived
  RETURN collect({currency: currency, grants: priced, total: total, mapped: mapped,
                  deprived: deprived}) AS money
}
RETURN f.id AS funder,
       coalesce(f.name, f.id) AS name,
       grants, money,
       size(COLLECT { MATCH (f)-[:AWARDS]->(:Grant)-[:AWARDED_TO]->(r) RETURN DISTINCT r.id }) AS recipients,
       size(COLLECT { MATCH (f)-[:AWARDS]->(:Grant)-[:BENEFITS_AREA]->(a) RETURN DISTINCT a.id }) AS areas,
       size(COLLECT { MATCH (f)-[:FUNDS]->(t) RETURN DISTINCT t.id }) AS funded_by_statement
