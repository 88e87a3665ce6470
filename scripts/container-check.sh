#!/usr/bin/env bash
# The operator's checks on the real image (scripts/container_check.py), with what they need:
#   scripts/container-check.sh            # one container, then the compose stack
#   scripts/container-check.sh single     # one container only
#   scripts/container-check.sh compose    # the compose stack only
# Installs podman, runc, netavark, aardvark-dns and debootstrap from Debian's packages when
# missing (root with apt-get), and podman-compose (pinned in requirements-dev.txt) into $VENV.
# Safe to run again and again; a second run reuses the cached base image and layers.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
# Compose's service names (db, app1...) resolve through netavark's DNS server, aardvark-dns.
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "container-check: installing ${missing[*]} (Debian packages)"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
      --no-install-recommends podman runc netavark aardvark-dns debootstrap iptables >/dev/null
  else
    echo "container-check: ${missing[*]} missing and this is not root with apt-get" >&2
    exit 2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import podman_compose, yaml" 2>/dev/null; then
  pin=$(grep -E '^podman-compose==' requirements-dev.txt)
  "$VENV/bin/pip" install -q "$pin" PyYAML
fi

exec "$VENV/bin/python" scripts/container_check.py "$@"
