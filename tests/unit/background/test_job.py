"""A job's lifecycle: queued, running with progress, then succeeded or failed once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.background.errors import JobAlreadyFinished
from domain.background.events import JobUpdated
from domain.background.model import Job, JobStatus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_job_runs_reports_progress_and_succeeds() -> None:
    job = Job.queue(kind="tags.apply_by_query", created_by="api_key:x", now=NOW)
    job.start(NOW, total=300)
    job.progress(100)
    job.succeed(NOW, {"tagged": 300})
    assert job.status is JobStatus.SUCCEEDED
    assert (job.done, job.total) == (300, 300)
    events = job.take_events()
    assert [e.status for e in events if isinstance(e, JobUpdated)] == [
        "QUEUED",
        "RUNNING",
        "RUNNING",
        "SUCCEEDED",
    ]


def test_a_finished_job_cannot_change_again() -> None:
    job = Job.queue(kind="x", created_by="a", now=NOW)
    job.fail(NOW, "boom")
    with pytest.raises(JobAlreadyFinished):
        job.succeed(NOW)
    with pytest.raises(JobAlreadyFinished):
        job.progress(1)


def test_long_errors_are_cut() -> None:
    job = Job.queue(kind="x", created_by="a", now=NOW)
    job.fail(NOW, "e" * 5000)
    assert job.error is not None and len(job.error) == 2000
