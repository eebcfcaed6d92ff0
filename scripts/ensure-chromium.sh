#!/usr/bin/env bash
# The browser test drives Debian's Chromium (never a Playwright browser download). Runs before
# `npm test`: installs it where it can (root with apt-get, as on CI), else says how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser test…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser test needs Chromium at /usr/bin/chromium: sudo apt-get install chromium" >&2
exit 1
