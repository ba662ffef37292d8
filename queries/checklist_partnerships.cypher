// A party org's partnership items (docs/指标口径.md checklists, kind `partnership`): one per active
// partnership whose target is what the org leads, or whose unit the org leads; facts: the
// partnership, unit and target ids; due: the expiry. Bundle order of the partnerships.
// Parameters: $as_of ('YYYY-MM-DD'), $party_org (a party org id).
MATCH (meta:Meta {key: 'network'})
MATCH (po:PartyOrg:Net {gen: meta.current_gen, id: $party_org})-[:LEADS]->(led)
MATCH (u:Unit)-[:SIGNED]->(p:Partnership)-[:WITH]->(t)
WHERE (t = led OR u = led)
  AND p.signed <= $as_of AND (p.expires IS NULL OR $as_of < p.expires)
WITH DISTINCT po, p, u, t
RETURN p.id AS partnership, po.id AS party_org, po.secretary AS first_responsible,
       'partnership' AS kind, u.name + ' 与 ' + t.name + ' 共建' AS item,
       [p.id, u.id, t.id] AS facts, p.expires AS due,
       CASE WHEN p.expires IS NOT NULL AND p.expires < $as_of THEN 'red'
            WHEN p.expires IS NOT NULL AND p.expires <= toString(date($as_of) + duration({days: 30})) THEN 'amber'
            ELSE 'green' END AS rag
ORDER BY p.row
