// Runs the graphql-http server audits (the GraphQL-over-HTTP spec's MUSTs,
// SHOULDs and MAYs) against the URL given as the only argument and prints
// one JSON array of {id, name, status, reason} to stdout. The audits run one
// after another, so that a server's rate limit or in-flight bound never
// decides a result. graphql_http_audit_test.go runs it and judges the result.
'use strict';
const { serverAudits } = require('graphql-http');

async function main() {
  const url = process.argv[2];
  if (!url) {
    throw new Error('usage: node audit.js http://127.0.0.1:PORT/graphql');
  }
  const results = [];
  for (const audit of serverAudits({ url, fetchFn: fetch })) {
    const r = await audit.fn();
    results.push({ id: r.id, name: r.name, status: r.status, reason: r.reason || '' });
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
