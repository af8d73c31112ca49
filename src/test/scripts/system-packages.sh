#!/bin/sh
# Makes sure the Debian packages the integration tests drive are installed: installs the missing ones
# when run as root, otherwise names them and fails, so `mvn verify` stops with a clear sentence.
# Usage: system-packages.sh PACKAGE...
set -eu
missing=""
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the test tools:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
    exit 0
fi
echo "The integration tests need these Debian packages:$missing" >&2
echo "Install them with:  sudo apt-get install$missing" >&2
exit 1
