"""The operations console (issue 12, AUD-2): the admin index's work queues and the auditor's read-only view.

``queues`` is the work-queue registry each app fills from its ``<app>/queues.py`` (discovered at start-up
by ``ConsoleConfig.ready``); ``auditor`` keeps the auditor role holding every project model's ``view_*``
permission. No models: the console reads the apps' rows through their queue sources.
"""
