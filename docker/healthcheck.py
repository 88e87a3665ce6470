"""The image's HEALTHCHECK: exit 0 when /readyz answers 200 on this container's port."""

import os
import sys
import urllib.request

url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/readyz"
try:
    with urllib.request.urlopen(url, timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(f"not ready: {error}", file=sys.stderr)
    sys.exit(1)
