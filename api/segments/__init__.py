"""GraphQL of segments: saved segments, previews, explanations, re-evaluation."""
