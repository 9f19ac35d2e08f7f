FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app

COPY pyproject.toml README.md ./
COPY exporthub ./exporthub
COPY integrations ./integrations
COPY feeds ./feeds
COPY webhooks ./webhooks
RUN pip install --no-cache-dir .

COPY . .
# collectstatic imports the settings, which insist on secrets: give it throwaway ones.
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    FIELD_ENCRYPTION_KEYS=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --noinput \
 && useradd --create-home exporthub && mkdir -p /app/var/metrics && chown -R exporthub /app/var
USER exporthub

EXPOSE 8000
CMD ["gunicorn", "exporthub.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
