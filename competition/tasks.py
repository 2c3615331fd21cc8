"""The kinds of background job of ``competition`` (run by ``competition.jobs.worker``): mail
delivery from the outbox and account imports. The application factory joins ``TASKS`` with
``judging.tasks.TASKS`` and gives them to ``competition.jobs.worker.init_app``."""

from __future__ import annotations

from competition.accounts import tasks as account_tasks
from competition.jobs.services import Task
from competition.notifications import services as notifications
from competition.notifications import tasks as notification_tasks

TASKS = {
    notifications.DELIVER: Task(
        notification_tasks.deliver_mail,
        max_attempts=notifications.DELIVERY_ATTEMPTS,
        backoff=notifications.DELIVERY_BACKOFF,
    ),
    account_tasks.IMPORT: Task(
        account_tasks.import_accounts,
        files=lambda job: [(job.params or {}).get("key", "")],  # the uploaded file, if left
    ),
}
