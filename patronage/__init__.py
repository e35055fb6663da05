"""The composition root: settings, wiring of adapters, and the `patronage` CLI.

`api` and `jobs` may import `patronage.settings` and the adapters here (pub/sub, clock),
never `patronage.cli` or `patronage.runtime` (import-linter contract).
"""
