#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (Playwright drives it; nothing is
# downloaded by Playwright itself). Best effort: where it cannot be installed the browser
# tests are skipped with the reason, and the rest of the suite still runs.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests (once)..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium: the browser tests will be skipped"
else
  echo "chromium is not installed and cannot be installed here (needs root and apt-get): the browser tests will be skipped"
fi
exit 0
