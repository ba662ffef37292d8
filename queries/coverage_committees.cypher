// Coverage per residents' committee (docs/指标口径.md), in the current network, committees in bundle order
// (`row`: the committee's position in the bundle, so answers asked part by part can be merged).
// Parameters: $as_of ('YYYY-MM-DD'), $scope ('city', or a district, street, community or committee id).
// Neo4j Browser:  :param as_of => '2026-06-30'
//                 :param scope => 'city'
MATCH (meta:Meta {key: 'network'})
MATCH (k:Committee:Net {gen: meta.current_gen})-[:IN]->(c:Community)-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [k.id, c.id, s.id, d.id]
// Units with an active partnership whose target is the committee, its community or street: a
// street's and a community's units are found once each, not once per committee under them.
WITH s, d, c, collect(k) AS ks
WITH s, d, collect([c, ks]) AS communities
CALL (s) {
  OPTIONAL MATCH (s)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(u:Unit)
  WHERE p.signed <= $as_of AND (p.expires IS NULL OR $as_of < p.expires)
  RETURN collect(DISTINCT u) AS streetUnits
}
UNWIND communities AS community
WITH s, d, streetUnits, community[0] AS c, community[1] AS ks
CALL (c) {
  OPTIONAL MATCH (c)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(u:Unit)
  WHERE p.signed <= $as_of AND (p.expires IS NULL OR $as_of < p.expires)
  RETURN collect(DISTINCT u) AS communityUnits
}
UNWIND ks AS k
CALL (k) {
  OPTIONAL MATCH (k)<-[:WITH]-(p:Partnership)<-[:SIGNED]-(u:Unit)
  WHERE p.signed <= $as_of AND (p.expires IS NULL OR $as_of < p.expires)
  RETURN collect(DISTINCT u) AS directUnits
}
CALL (streetUnits, communityUnits, directUnits) {
  UNWIND streetUnits + communityUnits + directUnits AS u
  RETURN count(DISTINCT u) AS partnersInReach
}
WITH k, c, s, d, partnersInReach, size(directUnits) AS partnersDirect, $as_of AS asOf,
     toString(date($as_of) - duration({years: 1})) AS yearAgo,
     date($as_of).year AS asOfYear
CALL (k, c, s) {
  UNWIND [s, c, k] AS t
  OPTIONAL MATCH (t)<-[:LINKS]-(m:MassOrg)
  WITH collect(DISTINCT m.type) AS types
  RETURN [x IN ['union', 'youth_league', 'women_federation', 'other'] WHERE x IN types] AS massOrgTypes
}
CALL (k, asOf, yearAgo, asOfYear) {
  // Counted hours and the distinct volunteers under 35 with hours, from the committee's
  // volunteering digest: its VOLUNTEERED rows in bundle row order as parallel lists (date, hours,
  // the volunteer's birth year and row), kept by every write — one node read instead of ~170
  // relationships and their members. Summed in row order, so the float sum is reproducible.
  WITH coalesce(k.vol_date, []) AS ds, k.vol_hours AS hs, k.vol_birth_year AS bs,
       k.vol_member AS ms, yearAgo, asOf, asOfYear
  WITH [i IN range(0, size(ds) - 1) WHERE yearAgo < ds[i] AND ds[i] <= asOf] AS counted,
       hs, bs, ms, asOfYear
  RETURN reduce(h = 0.0, i IN counted | h + hs[i]) AS volunteerHours,
         COUNT { UNWIND counted AS i WITH i WHERE hs[i] > 0 AND asOfYear - bs[i] < 35
                 RETURN DISTINCT ms[i] AS m } AS youngVolunteers
}
// Registered members: the degree of the committee (no expansion).
WITH k, c, s, d, partnersInReach, partnersDirect, massOrgTypes, volunteerHours, youngVolunteers,
     COUNT { (k)<-[:REGISTERED_AT]-() } AS registered
WITH k, c, s, d, partnersInReach, partnersDirect, massOrgTypes, registered, volunteerHours,
     youngVolunteers, EXISTS { (:PartyOrg)-[:LEADS]->(k) } AS partyOrg
RETURN k.id AS id,
       k.row AS row,
       k.name AS name,
       c.id AS community,
       s.id AS street,
       d.id AS district,
       partyOrg AS party_org,
       registered AS registered_members,
       CASE WHEN k.households = 0 THEN null
            ELSE toFloat(registered) * 1000.0 / k.households END AS members_per_1000_households,
       volunteerHours AS volunteer_hours,
       youngVolunteers AS young_volunteers,
       partnersDirect AS partners_direct,
       partnersInReach AS partners_in_reach,
       massOrgTypes AS mass_org_types,
       [f IN [CASE WHEN NOT partyOrg THEN 'no_party_org' END,
              CASE WHEN registered = 0 THEN 'no_members' END,
              CASE WHEN partnersInReach = 0 THEN 'no_partners' END,
              CASE WHEN NOT 'union' IN massOrgTypes THEN 'no_union' END,
              CASE WHEN NOT 'youth_league' IN massOrgTypes THEN 'no_youth_league' END,
              CASE WHEN NOT 'women_federation' IN massOrgTypes THEN 'no_women_federation' END]
        WHERE f IS NOT NULL] AS blank_spots
ORDER BY k.row
