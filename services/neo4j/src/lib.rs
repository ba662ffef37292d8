//! The Neo4j store through neo4rs, and coverage computed by the Cypher in queries/.
