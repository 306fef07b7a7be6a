#!/usr/bin/env bash
# The HTML-report browser test uses Debian's chromium. Install it if missing and we may (root + apt).
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test (one time)..."
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || echo "could not install chromium; the browser test will fail and say so"
else
  echo "chromium is not installed: install Debian's 'chromium' package for the browser test"
fi
exit 0
