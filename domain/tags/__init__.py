"""Tags on customers: manual tags (set by people and integrations) and rule tags (kept equal
to a saved segment by its re-evaluation)."""
