#!/usr/bin/env bash
# Installs a Debian package when the command the tests need is missing:
#   ensure-debian.sh COMMAND PACKAGE   (chromium for the browser tests,
#   nodejs for the front end's unit tests, gettext for the catalogue tests).
#   Never downloads anything but the distribution's package.
set -euo pipefail
command_name="$1"
package="$2"
if command -v "$command_name" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$command_name is missing: install Debian's '$package' package (apt-get install $package)." >&2
  exit 1
fi
echo "Installing Debian's $package..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
command -v "$command_name" >/dev/null
