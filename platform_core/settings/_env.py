"""The environment the settings read (12-factor), and whether this process runs in production."""

import environ

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
