"""The sandbox clock (issue 24, decision 026): staff advance the platform's test clock in demo and staging.

Never in production: its routes are not mounted, its admin page is not registered, and the deploy check
refuses a production process with ``PLATFORM_TEST_CLOCK_ENABLED`` on (``platform.E105``).
"""
