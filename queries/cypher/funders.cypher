// funders: per funder, its grants and money, recipients and areas, and how much of its
// money (that reaches areas with an IMD decile) goes to the most deprived decile.
// Parameters: $workspace (the pushing workspace's id), $currency.
MATCH (f:Organization)
WHERE f.cg_workspace = $workspace
  AND (EXISTS { (f)-[:AWARDS]->(:Grant) } OR EXISTS { (f)-[:FUNDS]->() })
CALL (f) {
  OPTIONAL MATCH (f)-[:AWARDS]->(g:Grant)
  WITH g,
       CASE WHEN g.amount IS NOT NULL AND coalesce(g.currency, $currency) = $currency
            THEN toFloat(g.amount) END AS amount,
       CASE WHEN g.amount IS NOT NULL AND coalesce(g.currency, $currency) <> $currency
            THEN 1 ELSE 0 END AS other,
       COLLECT { MATCH (g)-[:BENEFITS_AREA]->(a:Area) WHERE a.imd_decile IS NOT NULL
                 RETURN a.imd_decile } AS deciles
  RETURN count(g) AS grants,
         sum(coalesce(amount, 0.0)) AS total,
         sum(other) AS other_currency,
         sum(CASE WHEN amount IS NOT NULL AND size(deciles) > 0 THEN amount ELSE 0.0 END) AS mapped,
         sum(CASE WHEN amount IS NOT NULL AND size(deciles) > 0
                  THEN amount * size([d IN deciles WHERE d = 1]) / size(deciles)
                  ELSE 0.0 END) AS deprived
}
RETURN f.id AS funder,
       coalesce(f.name, f.id) AS name,
       grants, total, other_currency, mapped, deprived,
       size(COLLECT { MATCH (f)-[:AWARDS]->(:Grant)-[:AWARDED_TO]->(r) RETURN DISTINCT r.id }) AS recipients,
       size(COLLECT { MATCH (f)-[:AWARDS]->(:Grant)-[:BENEFITS_AREA]->(a) RETURN DISTINCT a.id }) AS areas,
       size(COLLECT { MATCH (f)-[:FUNDS]->(t) RETURN DISTINCT t.id }) AS funded_by_statement
