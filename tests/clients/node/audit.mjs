// The GraphQL-over-HTTP specification's own server audits (graphql-http's serverAudits)
// against GRAPHQL_URL, each request with GRAPHQL_TOKEN as its bearer token.
// Prints one JSON array: {id, name, status ("ok" | "warn" | "error" | "notice"), reason}.
import { serverAudits } from "graphql-http";

const url = process.env.GRAPHQL_URL;
const token = process.env.GRAPHQL_TOKEN;

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = [];
// one at a time: the live server is a test server on a shared machine
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results));
