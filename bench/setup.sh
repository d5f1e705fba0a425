#!/usr/bin/env bash
# Installs what the comparison benchmarks measure against, never as system services:
# hyperfine, wrk and supervisor from Debian (supervisord is started by the benchmarks
# with a private config), and PM2 from npm into bench/.peers (its own folder).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine wrk supervisor time >/dev/null
# Debian starts supervisord as a service on install; the benchmarks want it stopped.
($SUDO systemctl disable --now supervisor 2>/dev/null || $SUDO service supervisor stop 2>/dev/null || true) >/dev/null
mkdir -p bench/.peers
npm install --prefix bench/.peers --no-audit --no-fund pm2@6 >/dev/null
echo "bench peers ready: supervisord $(supervisord --version), pm2 $(node -p "require('./bench/.peers/node_modules/pm2/package.json').version")"
