#!/usr/bin/env bash
# System packages the suite uses, installed from Debian's packages when missing and possible:
# chromium (browser test of the HTML reports), postgresql (the SQL source test) and Java 17 (the spark engine).
# Tests that need them skip with a clear reason where they cannot be installed.
set -u
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || want+=(openjdk-17-jre-headless)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: ${want[*]} missing and cannot be installed here (needs root and apt-get); their tests will skip"
  exit 0
fi
echo "installing ${want[*]} from Debian's packages (once)..."
export DEBIAN_FRONTEND=noninteractive
mkdir -p /usr/share/man/man1  # slim images lack it, and the JRE's set-up fails without it
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
  || echo "note: installing ${want[*]} failed; their tests will skip"
exit 0
