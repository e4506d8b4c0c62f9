"""Settings to validate the schema with the disputes routes before the lead wires them (not used by tests).

Run: DJANGO_SETTINGS_MODULE=tests.disputes.spectacular_settings manage.py spectacular --validate
--fail-on-warn --urlconf tests.disputes.urls_for_tests. The two overrides are the lines to add to
``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`` in platform_core/settings.py.
"""

from typing import cast

from platform_core.settings import *  # noqa: F403
from platform_core.settings import SPECTACULAR_SETTINGS

SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "ENUM_NAME_OVERRIDES": {
        **cast(dict[str, str], SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]),
        "DisputeStatusEnum": "disputes.models.Dispute.Status",
        "RulingKindEnum": "disputes.models.RulingKind",
    },
}
