# The API (and, with another command, the web front end) of EST Lägesbild.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EST_ENV=prod

# Pango (and its fonts) for WeasyPrint, which makes the lägesbild's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 --user-group est
WORKDIR /app

COPY pyproject.toml README.md ./
COPY api ./api
COPY web ./web
COPY migrations ./migrations
# var/photos exists in the image, owned by est, so that the photos volume mounted there
# (compose.yaml) starts out writable by the service.
RUN pip install . && mkdir -p /app/var/photos && chown -R est:est /app/var

USER est
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["est", "serve-api", "--host", "0.0.0.0", "--port", "8000"]
