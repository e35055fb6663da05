"""GraphQL of the access context: API keys, customer tokens."""
