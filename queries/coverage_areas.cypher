// The roll-up areas of a scope (docs/指标口径.md): communities, streets, districts at and below the scope,
// and the city for scope 'city', each with its bundle row; the roll-up figures are aggregated
// from the rows of coverage_committees.cypher (see coverage_rollups.cypher for the same in Cypher).
// Parameters: $scope ('city', or a district, street or community id).
MATCH (meta:Meta {key: 'network'})
MATCH (c:Community:Net {gen: meta.current_gen})-[:IN]->(s:Street)-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [c.id, s.id, d.id]
RETURN 'community' AS level, c.id AS id, c.row AS row
UNION ALL
MATCH (meta:Meta {key: 'network'})
MATCH (s:Street:Net {gen: meta.current_gen})-[:IN]->(d:District)
WHERE $scope = 'city' OR $scope IN [s.id, d.id]
RETURN 'street' AS level, s.id AS id, s.row AS row
UNION ALL
MATCH (meta:Meta {key: 'network'})
MATCH (d:District:Net {gen: meta.current_gen})
WHERE $scope = 'city' OR $scope = d.id
RETURN 'district' AS level, d.id AS id, d.row AS row
UNION ALL
MATCH (meta:Meta {key: 'network'})
WITH meta WHERE $scope = 'city'
RETURN 'city' AS level, 'city' AS id, 0 AS row
