// Apollo Client 3 with its persisted-queries link (hashes over GET), as a front end
// configures it, against GRAPHQL_URL with GRAPHQL_TOKEN. Runs each document in
// QUERIES_FILE (a JSON list of {name, query, variables}) and prints one JSON object:
// {answers: {name: {data} | {error}}, requests: [{name, method, sentQuery, status}]}.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";

const url = process.env.GRAPHQL_URL;
const token = process.env.GRAPHQL_TOKEN;
const queries = JSON.parse(readFileSync(process.env.QUERIES_FILE, "utf8"));

const requests = [];
let current = null;

async function recordingFetch(input, init = {}) {
  const response = await fetch(input, init);
  const sentQuery = init.method === "GET" ? new URL(input).searchParams.has("query") : "query" in JSON.parse(init.body);
  requests.push({ name: current, method: init.method, sentQuery, status: response.status });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
  new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${token}` } }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const answers = {};
for (const { name, query, variables } of queries) {
  current = name;
  try {
    const result = await client.query({ query: gql(query), variables, fetchPolicy: "network-only" });
    answers[name] = { data: result.data };
  } catch (error) {
    const errors = error.graphQLErrors?.length ? error.graphQLErrors : error.networkError?.result?.errors;
    answers[name] = { error: error.message, codes: (errors || []).map((e) => e.extensions?.code) };
  }
}
console.log(JSON.stringify({ answers, requests }));
