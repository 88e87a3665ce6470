"""Entry point for gunicorn: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from app.boot import create_app_or_exit

app = create_app_or_exit()
