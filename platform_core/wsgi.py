"""The WSGI application gunicorn serves (``gunicorn -c gunicorn.conf.py platform_core.wsgi``).

Decision 019: a production process refuses to start (``ImproperlyConfigured``) while a sandbox is enabled
or a secret is missing or published in the code, even where ``manage.py check --deploy`` was skipped.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")
application = get_wsgi_application()

from platform_core.deploy_checks import refuse_to_start_if_unsafe  # noqa: E402  (after django.setup())

refuse_to_start_if_unsafe()
