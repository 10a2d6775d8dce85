#!/usr/bin/env bash
# Node runs the front end's unit tests (node --test); install Debian's when missing.
set -euo pipefail
if command -v node >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Node.js is missing: install it (apt-get install nodejs)." >&2
  exit 1
fi
echo "Installing Debian's nodejs for the front-end unit tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
