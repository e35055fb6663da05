"""GraphQL of the tickets context: the queue, tickets and messages, live updates."""
