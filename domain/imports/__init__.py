"""Bulk import of customers and orders from CSV files (migrations from spreadsheets or an
older CRM).

The file format is documented in `domain.imports.columns`. A file is read in batches of
rows; each batch is parsed and validated row by row (`customer_rows`, `order_rows`),
folded onto the customers and orders it names (`people`, `customer_plan`, `order_plan`),
and written by the store in ONE transaction together with the import run's progress
(`services`), so a crash loses at most the batch in flight and a re-run of the same file
resumes after the last committed line.

Bulk writes bypass the domain events on purpose (no sign-up bonus, no points for
historic orders, no automations): see `repository.ImportBatch` for what is written.
"""
