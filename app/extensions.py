"""Unbound extension instances, so that nothing imports the app in a circle."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
