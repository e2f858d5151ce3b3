# wi3 in a container. HTTP mode by default: Slack POSTs to :3000/slack/events; with
# SLACK_APP_TOKEN set it runs in Socket Mode and :3000 serves only /healthz and /metrics.
# The data directory is /data (mount a volume there; with DATABASE_URL none is needed);
# the process runs as an unprivileged user.
#   docker build -t wi3 .
#   docker run --env-file .env -p 3000:3000 -v wi3-data:/data wi3
#
# The same image twice: the base image is pinned by its digest (python 3.11.9-slim on
# Debian bookworm, the multi-platform index digest; bump it to pick up security fixes:
# `docker buildx imagetools inspect python:3.11-slim-bookworm`), and every package comes
# from requirements/runtime.lock with its hashes.
FROM python:3.11.9-slim-bookworm@sha256:dad770592ab3582ab2dabcf0e18a863df9d86bd9d23efcfa614110ce49ac20e4

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first, in their own layer: a change to wi3's code reuses it.
COPY requirements/runtime.lock ./requirements/
RUN pip install --require-hashes -r requirements/runtime.lock

COPY pyproject.toml README.md manifest.yml ./
COPY model ./model
COPY storage ./storage
COPY conversations ./conversations
COPY bot ./bot
RUN pip install --no-deps --no-build-isolation . \
    && useradd --system --create-home --uid 10001 --user-group wi3 \
    && mkdir -p /data \
    && chown wi3:wi3 /data

USER wi3
# The code is installed; run from the user's home (where `try` saves its chart).
WORKDIR /home/wi3
ENV WI3_DATA_DIR=/data \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib
EXPOSE 3000

# 200 from /healthz on PORT once the bot is wired to Slack and its data, while its data can
# be saved and (Socket Mode) Slack is heard from. The probe imports only the standard
# library: it runs every few seconds in every replica.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.probe"]

# SIGTERM (docker stop) lets requests in progress finish, then releases /data.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
