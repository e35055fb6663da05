"""GraphQL of the loyalty context: tiers, member status, the points ledger."""
