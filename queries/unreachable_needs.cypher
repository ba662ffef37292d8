// Unreachable needs (docs/指标口径.md gaps): needs of committees in scope that no resource at all can
// serve (same domain, and the committee in the resource's reach: its deployed_to list when
// given, else its provider's reach). Bundle order.
// Parameters: $as_of ('YYYY-MM-DD'), $scope ('city', or a district, street or community id).
MATCH (meta:Meta {key: 'network'})
MATCH (n:Need:Net {gen: meta.current_gen})-[:AT]->(k:Committee)-[:IN]->(c:Community)-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [c.id, s.id, d.id]
WITH n, k, $as_of AS asOf
WHERE NOT EXISTS { (k)<-[:DEPLOYED_TO]-(r:Resource) WHERE r.domain = n.domain }
  AND NOT EXISTS {
    MATCH (k)-[:IN*0..2]->(t)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(:Unit)<-[:PROVIDED_BY]-(r:Resource)
    WHERE r.domain = n.domain AND r.deployed_to IS NULL
      AND p.signed <= asOf AND (p.expires IS NULL OR asOf < p.expires) }
  AND NOT EXISTS {
    MATCH (k)-[:IN*0..2]->(t)<-[:LINKS]-(:MassOrg)<-[:PROVIDED_BY]-(r:Resource)
    WHERE r.domain = n.domain AND r.deployed_to IS NULL }
  AND NOT EXISTS {
    MATCH (k)-[:IN*2]->(:Street)<-[:LOCATED_IN]-(:SocialOrg)<-[:PROVIDED_BY]-(r:Resource)
    WHERE r.domain = n.domain AND r.deployed_to IS NULL }
  AND NOT EXISTS {
    MATCH (k)-[:IN*1..2]->(a)<-[:PROVIDED_BY]-(r:Resource)
    WHERE (a:Street OR a:Community) AND r.domain = n.domain AND r.deployed_to IS NULL }
RETURN n.id AS need, k.id AS committee, n.domain AS domain, n.demand AS demand
ORDER BY n.row
