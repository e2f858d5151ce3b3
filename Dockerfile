# wi3 in a container. HTTP mode by default: Slack POSTs to :3000/slack/events and the
# health check asks /healthz; set SLACK_APP_TOKEN for Socket Mode (no inbound port).
# The data directory is the /data volume; the process runs as an unprivileged user.
#   docker build -t wi3 .
#   docker run --env-file .env -p 3000:3000 -v wi3-data:/data wi3
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md manifest.yml ./
COPY model ./model
COPY storage ./storage
COPY conversations ./conversations
COPY bot ./bot
RUN pip install . \
    && useradd --system --create-home --uid 10001 --user-group wi3 \
    && mkdir -p /data \
    && chown wi3:wi3 /data

USER wi3
# The code is installed; run from the user's home (where `try` saves its chart).
WORKDIR /home/wi3
ENV WI3_DATA_DIR=/data \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib
VOLUME ["/data"]
EXPOSE 3000

# In HTTP mode 200 from /healthz once the bot is wired to Slack and its data; in Socket
# Mode there is nothing to probe and the check passes while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# SIGTERM (docker stop) lets requests in progress finish, then releases /data.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
