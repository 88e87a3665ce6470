"""Unbound extension instances, so that nothing imports the app in a circle."""

from flask_babel import Babel
from flask_caching import Cache
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
# Each worker's own memory: it holds derived aggregate figures for a few seconds
# (app/disclosure/published.py), never a page and never anything of one visitor.
cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 200})
