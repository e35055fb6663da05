"""Dramatiq actors and the scheduler: fan-out, delivery, automations, nightly runs."""
