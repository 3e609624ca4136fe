# syntax=docker/dockerfile:1
# One image for every diaodu service. The container serves the service named by DIAODU_SERVICE
# (console | registry | progress | escalation | scoring); `diaodu migrate <service>` is the one-shot migration
# step (compose `migrate-*`, Kubernetes Job `diaodu-migrate`), never run by a serving replica.
#
#   docker build -t diaodu:local .
#   docker run --rm -e DIAODU_SERVICE=registry -e DIAODU_DATABASE_URL=... -e DIAODU_JWT_JWKS_URL=http://console:8000/.well-known/jwks.json diaodu:local
#   docker run --rm -e DIAODU_DATABASE_URL=... -e DIAODU_JWT_JWKS_URL=... diaodu:local diaodu migrate registry

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: resolve the locked dependencies with uv into /app/.venv --------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Third-party dependencies first (their layer survives code changes): the lock and every member's
# pyproject.toml, nothing else.
COPY pyproject.toml uv.lock ./
COPY libs/platform/pyproject.toml libs/platform/
COPY libs/testkit/pyproject.toml libs/testkit/
COPY services/registry/pyproject.toml services/registry/
COPY services/progress/pyproject.toml services/progress/
COPY services/escalation/pyproject.toml services/escalation/
COPY services/scoring/pyproject.toml services/scoring/
COPY services/console/pyproject.toml services/console/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace

# Then the workspace itself. Members stay editable on purpose: `diaodu migrate` finds each service's
# Alembic folder relative to the source tree (diaodu_platform.topology.REPO_ROOT = /app).
COPY libs/ libs/
COPY services/ services/
COPY deploy/docker/ deploy/docker/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev \
 && python -m compileall -q libs services deploy/docker

# --- runtime: the interpreter, the venv and the sources; no uv, no compiler, no root ---------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 diaodu \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin diaodu
# Owned by root and read-only for the service user: the pod runs with readOnlyRootFilesystem.
COPY --from=build /app /app
WORKDIR /app
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DIAODU_ENV=production \
    DIAODU_HTTP_HOST=0.0.0.0
USER 10001:10001
EXPOSE 8000 8001 8002 8003 8004
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/deploy/docker/healthcheck.py"]
CMD ["python", "/app/deploy/docker/serve.py"]
