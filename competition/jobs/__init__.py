"""Background jobs: one queue API for every package (``services.enqueue``), a job-state table
the pages read for progress (``models.Job``), and the runner (``worker``): procrastinate on
PostgreSQL, in-process threads (or inline, in tests) on SQLite."""
