# The operator's image: one process (gunicorn) as a non-root user, SQLite data in /data
# unless DATABASE_URL names a PostgreSQL. Build: docker build -t score .
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# 1) Dependencies in a virtual environment, built before any source is copied so that
#    a code change does not reinstall them.
FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

# 2) The runtime: the venv, the source (owned by root, read-only to the app), a data volume.
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    INSTANCE_PATH=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    LOG_FORMAT=json
# The group first, with the same id: `useradd --user-group` would give it a system gid (999).
RUN groupadd --system --gid 10001 score \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin score \
    && mkdir /data \
    && chown score:score /data
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Built here, never committed: the compiled catalogues (.mo; without them every page is English)
# and the gzip copies of the static files, for WhiteNoise to send (app/web/assets.py).
RUN pybabel -q compile -d translations \
    && python -m whitenoise.compress --quiet --no-brotli static
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "/app/docker/healthcheck.py"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
