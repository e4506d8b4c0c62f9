"""Customer service's console: queues of escalated requests and open/escalated complaints sorted by time
left with SLA badges, canned responses, and the order's whole timeline on one page. Actions call
services; the admin writes nothing itself. One module per sub-domain: ``requests``, ``complaints``,
``policies`` (canned responses, special periods, shops' policies), ``conversations`` (with shift handovers
and suggestions); ``_common`` holds what they share. Importing the sub-modules here lets admin autodiscovery
find them."""

from aftersales.admin import complaints, conversations, policies, requests  # noqa: F401
