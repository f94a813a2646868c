// The peer of citygraph's benchmark: @neo4j/graphql on Apollo Server,
// serving typeDefs.graphql over the Neo4j that citygraph uses.
//
// Environment: NEO4J_URI, NEO4J_USERNAME (neo4j), NEO4J_PASSWORD,
// NEO4J_DATABASE (server default), PEER_PORT (4000). It listens on
// 127.0.0.1 only. The benchmark counts and PROFILEs the statements it
// sends by pointing NEO4J_URI at a recording Bolt proxy (../bolt.go).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const env = process.env;
if (!env.NEO4J_URI) {
  console.error("peer: NEO4J_URI is unset; point it at the Neo4j citygraph uses (bolt://127.0.0.1:7687)");
  process.exit(2);
}
const port = Number(env.PEER_PORT || 4000);
const driver = neo4j.driver(env.NEO4J_URI, neo4j.auth.basic(env.NEO4J_USERNAME || "neo4j", env.NEO4J_PASSWORD || ""), {
  maxConnectionPoolSize: 50,
});
const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
const server = new ApolloServer({ schema, introspection: true });
const sessionConfig = env.NEO4J_DATABASE ? { database: env.NEO4J_DATABASE } : undefined;
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async () => ({ sessionConfig }),
});
console.log(`peer: listening on ${url}`);

const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

