// Sole-partner units (docs/指标口径.md Structure): units that are the only unit with an active
// partnership reaching one or more committees in scope, with those committees (bundle order).
// Parameters: $as_of ('YYYY-MM-DD'), $scope ('city', or a district, street or community id).
MATCH (meta:Meta {key: 'network'})
MATCH (k:Committee:Net {gen: meta.current_gen})-[:IN]->(c:Community)-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [c.id, s.id, d.id]
WITH k, c, s, $as_of AS asOf
CALL (k, c, s, asOf) {
  UNWIND [s, c, k] AS t
  MATCH (t)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(u:Unit)
  WHERE p.signed <= asOf AND (p.expires IS NULL OR asOf < p.expires)
  RETURN collect(DISTINCT u) AS units
}
WITH k, units WHERE size(units) = 1
WITH units[0] AS u, k ORDER BY k.row
WITH u, collect(k.id) AS committees
RETURN u.id AS unit, committees
ORDER BY u.row
