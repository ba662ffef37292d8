// Stranded resources (悬浮资源, docs/指标口径.md gaps): resources that no need anywhere can use (no need of
// the same domain at a committee in the resource's reach). City-wide, bundle order.
// Parameters: $as_of ('YYYY-MM-DD').
MATCH (meta:Meta {key: 'network'})
MATCH (r:Resource:Net {gen: meta.current_gen})-[:PROVIDED_BY]->(prov)
WITH r, prov, $as_of AS asOf
OPTIONAL CALL (r, prov, asOf) {
  // The committees in the resource's reach.
  MATCH (r)-[:DEPLOYED_TO]->(k:Committee) RETURN k
  UNION
  MATCH (prov:Unit)-[:SIGNED]->(p:Partnership)-[:WITH]->(t)<-[:IN*0..2]-(k:Committee)
  WHERE r.deployed_to IS NULL AND p.signed <= asOf AND (p.expires IS NULL OR asOf < p.expires)
  RETURN k
  UNION
  MATCH (prov:MassOrg)-[:LINKS]->(t)<-[:IN*0..2]-(k:Committee)
  WHERE r.deployed_to IS NULL
  RETURN k
  UNION
  MATCH (prov:SocialOrg)-[:LOCATED_IN]->(:Street)<-[:IN*2]-(k:Committee)
  WHERE r.deployed_to IS NULL
  RETURN k
  UNION
  MATCH (prov)<-[:IN*1..2]-(k:Committee)
  WHERE r.deployed_to IS NULL AND (prov:Street OR prov:Community)
  RETURN k
}
WITH r, collect(k) AS reach
WHERE NOT EXISTS { MATCH (n:Need)-[:AT]->(k) WHERE k IN reach AND n.domain = r.domain }
RETURN r.id AS resource, r.name AS name, r.domain AS domain, r.capacity AS capacity
ORDER BY r.row
