#!/usr/bin/env bash
# Installs Debian's chromium for the web console's end-to-end tests when it is missing.
# The tests never download a browser.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
	exit 0
fi
echo "installing Debian package: chromium"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium
