# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/app/.venv/bin:$PATH

# pg_dump / pg_restore for `manage.py backup` and `restore_rehearsal` (OPS-4); the TrueType CJK font PDFs
# embed (AUD-3, decision 042: PDF_CJK_FONT_PATH finds it; production refuses to start without it)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# the same uv range as the Makefile's bootstrap
RUN pip install "uv>=0.5,<0.14" \
    && useradd --system --uid 10001 --no-create-home --home-dir /app app

WORKDIR /app

# Dependencies first, from the lock only: this layer is rebuilt only when they change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-cache

COPY . .

# Static files are collected at build time with the production storage (hashed, compressed names);
# the key is a throwaway that only lets settings load. Uploads live on a volume at /srv/media.
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=build-only-not-a-secret-it-only-lets-settings-load-for-collectstatic \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /srv/media /srv/backups /app/var \
    && chown -R app:app /srv/media /srv/backups /app/var

USER app
ENV DJANGO_ENV=production \
    MEDIA_ROOT=/srv/media
EXPOSE 8000

CMD ["gunicorn", "-c", "gunicorn.conf.py", "platform_core.wsgi"]
