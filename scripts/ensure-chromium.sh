#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser build), with a Chinese font so
# that pages, PDFs and screenshots show Chinese text rather than empty boxes.
set -euo pipefail
have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
have_cjk_font() { fc-list 2>/dev/null | grep -qi -e wqy -e "noto sans cjk"; }
if have_chromium && have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
elif ! have_chromium; then
  echo "Chromium is missing: run 'sudo apt-get install chromium fonts-wqy-microhei' (browser tests need it)" >&2
  [ "${CHAINQ_REQUIRE_BROWSER:-0}" = "1" ] && exit 1
else
  echo "No Chinese font: run 'sudo apt-get install fonts-wqy-microhei' (screenshots show empty boxes without it)" >&2
fi
exit 0
