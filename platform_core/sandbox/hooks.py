"""What the sandbox clock plugs into (imported at start-up; ``platform_core.hooks``)."""

from platform_core.org.permissions import Audience, Level, permission_register

# decision 026: moving the platform's clock enforces deadlines and moves money in the demo: advanced
permission_register(
    "sandbox.advance_test_clock",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Advance the sandbox test clock (demo and staging only; decision 026)",
)
