// Coverage roll-ups for Neo4j Browser: per community, street, district of the scope and the city,
// from the same per-committee figures as coverage_committees.cypher. (dangjian itself aggregates
// the rows of coverage_committees.cypher over the areas of coverage_areas.cypher in Rust, with the
// same definitions; this file is for people. Areas without committees are left out here.)
// Parameters: $as_of ('YYYY-MM-DD'), $scope ('city', or a district, street or community id).
MATCH (meta:Meta {key: 'network'})
MATCH (k:Committee:Net {gen: meta.current_gen})-[:IN]->(c:Community)-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [c.id, s.id, d.id]
WITH k, c, s, d, $as_of AS asOf, toString(date($as_of) - duration({years: 1})) AS yearAgo
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
CALL (k) {
  OPTIONAL MATCH (mem:Member)-[:REGISTERED_AT]->(k)
  RETURN count(mem) AS registered
}
CALL (k, asOf, yearAgo) {
  OPTIONAL MATCH (:Member)-[x:VOLUNTEERED]->(k)
  WHERE yearAgo < x.date AND x.date <= asOf
  WITH x ORDER BY x.row
  RETURN reduce(h = 0.0, y IN collect(x.hours) | h + y) AS hours
}
WITH k, c, s, d, partners, registered, hours,
     [NOT EXISTS { (:PartyOrg)-[:LEADS]->(k) }, registered = 0, partners = 0,
      NOT 'union' IN types, NOT 'youth_league' IN types, NOT 'women_federation' IN types] AS flags
UNWIND [['community', c.id, 0, c.row, true],
        ['street', s.id, 1, s.row, $scope <> c.id],
        ['district', d.id, 2, d.row, $scope IN ['city', d.id]],
        ['city', 'city', 3, 0, $scope = 'city']] AS area
WITH area, k, partners, registered, hours, flags
WHERE area[4]
WITH area, k, partners, registered, hours, flags ORDER BY k.row
WITH area, collect(partners) AS ps, sum(registered) AS registered_members,
     reduce(h = 0.0, x IN collect(hours) | h + x) AS volunteer_hours, collect(flags) AS fl
CALL (ps) {
  UNWIND ps AS p
  WITH p ORDER BY p
  RETURN collect(p) AS sorted
}
WITH area, ps, registered_members, volunteer_hours, fl, sorted, size(sorted) AS n
RETURN area[1] AS id, area[0] AS level, n AS committees,
       {no_party_org: size([f IN fl WHERE f[0]]), no_members: size([f IN fl WHERE f[1]]),
        no_partners: size([f IN fl WHERE f[2]]), no_union: size([f IN fl WHERE f[3]]),
        no_youth_league: size([f IN fl WHERE f[4]]),
        no_women_federation: size([f IN fl WHERE f[5]])} AS blank_spots,
       registered_members, volunteer_hours,
       CASE WHEN n % 2 = 1 THEN toFloat(sorted[n / 2])
            ELSE (toFloat(sorted[n / 2 - 1]) + toFloat(sorted[n / 2])) / 2.0 END AS partners_in_reach_median
ORDER BY area[2], area[3]
