# syntax=docker/dockerfile:1
# The CLM Portal's production image: gunicorn serving Django, the same image running the
# Celery worker and beat (see docker-compose.yml). Every setting comes from the environment
# (see .env.example); nothing secret is baked in.
#
#   docker build -t clm-portal .
#
# Debian bookworm for both stages, so the library names below stay valid.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- 1. Front-end assets: the same steps as the Makefile's `assets` target -----------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/scss static/scss
RUN mkdir -p static/dist \
 && npx sass --no-source-map --style=compressed --load-path=node_modules \
        static/scss/main.scss static/dist/main.css \
 && cp -R node_modules/nhsuk-frontend/dist/nhsuk/assets static/dist/assets \
 && cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js \
       node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js.map static/dist/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js \
       node_modules/chart.js/dist/chart.umd.min.js.map static/dist/

# --- 2. Python dependencies, pinned by the constraints file, in a virtualenv ---------------
FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /build
COPY pyproject.toml ./
COPY requirements/constraints.txt requirements/constraints.txt
# pyproject.toml declares `packages = []`: this installs the runtime dependencies only
# (no [dev] extras), each at the version in the constraints file.
RUN /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install --constraint requirements/constraints.txt . \
 && /opt/venv/bin/pip uninstall --yes clm-portal

# --- 3. The runtime image ------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=clm_portal.settings \
    PORT=8000 \
    WEB_CONCURRENCY=3
# Pango, HarfBuzz and fonts for WeasyPrint's PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 clm \
 && useradd --system --uid 10001 --gid clm --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin clm

COPY --from=python-deps /opt/venv /opt/venv
WORKDIR /app
COPY . .
COPY --from=assets /build/static/dist static/dist
# Hashed, compressed copies for WhiteNoise. The key only lets settings load: nothing is signed.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
        python manage.py collectstatic --no-input --verbosity 0 \
 && mkdir -p /app/media \
 && chown clm:clm /app/media

USER clm:clm
EXPOSE 8000
# /healthz is exempt from the HTTPS redirect; the script sends an allowed Host header.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
# gunicorn.conf.py: bind to $PORT, timeouts, and an access log with invitation tokens
# redacted. Workers: gunicorn reads WEB_CONCURRENCY. More flags: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "--config", "/app/gunicorn.conf.py", "clm_portal.wsgi:application"]
