"""wsgi:app plus one page the app compressed itself (tests/helpers.py), for gunicorn behind
the test proxy: `Server(..., app_module="tests.precompressed_app:app")`. Nothing here is a test."""

from tests.helpers import with_a_precompressed_page
from wsgi import app

app = with_a_precompressed_page(app)
