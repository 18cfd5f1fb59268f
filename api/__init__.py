"""The GraphQL toolkit every domain's schema builds on: typed errors, scalars,
pagination, loaders, selections, limits, persisted queries, the answer cache and
execution. It imports no app of the project (the lowest layer, docs/architecture.md);
who is calling lives in cms/callers, what they may read in content.access."""
