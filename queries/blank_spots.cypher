// Blank spots (空白点, docs/指标口径.md): committees in scope with at least one blank-spot flag, in bundle
// order. Same definitions as coverage_committees.cypher.
// Parameters: $as_of ('YYYY-MM-DD'), $scope ('city', or a district, street, community or committee id).
MATCH (meta:Meta {key: 'network'})
MATCH (k:Committee:Net {gen: meta.current_gen})-[:IN]->(c:Community)-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [k.id, c.id, s.id, d.id]
WITH k, c, s, $as_of AS asOf
CALL (k, c, s, asOf) {
  UNWIND [s, c, k] AS t
  OPTIONAL MATCH (t)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(u:Unit)
  WHERE p.signed <= asOf AND (p.expires IS NULL OR asOf < p.expires)
  RETURN count(DISTINCT u) AS partners
}
CALL (k, c, s) {
  UNWIND [s, c, k] AS t
  OPTIONAL MATCH (t)<-[:LINKS]-(m:MassOrg)
  RETURN collect(DISTINCT m.type) AS types
}
WITH k, partners, types,
     EXISTS { (:PartyOrg)-[:LEADS]->(k) } AS partyOrg,
     EXISTS { (:Member)-[:REGISTERED_AT]->(k) } AS members
WITH k, [f IN [CASE WHEN NOT partyOrg THEN 'no_party_org' END,
               CASE WHEN NOT members THEN 'no_members' END,
               CASE WHEN partners = 0 THEN 'no_partners' END,
               CASE WHEN NOT 'union' IN types THEN 'no_union' END,
               CASE WHEN NOT 'youth_league' IN types THEN 'no_youth_league' END,
               CASE WHEN NOT 'women_federation' IN types THEN 'no_women_federation' END]
         WHERE f IS NOT NULL] AS blank_spots
WHERE size(blank_spots) > 0
RETURN k.id AS committee, k.name AS name, blank_spots
ORDER BY k.row
