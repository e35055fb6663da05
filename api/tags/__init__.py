"""GraphQL of tags: the tag list with counts, bulk tagging, rule tags."""
