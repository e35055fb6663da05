"""The read side: list queries, loader batches, segment compiler, scoring SQL."""
