"""The GraphQL API's plumbing: who is calling (principal), what they may read
(access), pagination, limits, persisted queries, typed errors and the answer cache."""
