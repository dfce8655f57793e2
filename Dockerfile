# Porte-voix: `python -m bot run` as a non-root user, the database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PTB_TIMEDELTA=true \
    PORTEVOIX_DB=/data/porte-voix.db

WORKDIR /app
COPY pyproject.toml ./
# Dependencies come from pyproject.toml, the one list; the code runs from /app.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin porte-voix \
    && mkdir /data && chown porte-voix:porte-voix /data

COPY bot ./bot
COPY flows ./flows
COPY locales ./locales
COPY territories ./territories

USER porte-voix
VOLUME ["/data"]
# TELEGRAM_BOT_TOKEN must be given at run time; PORTEVOIX_CONFIG may point to a mounted territory file.
CMD ["python", "-m", "bot", "run"]
