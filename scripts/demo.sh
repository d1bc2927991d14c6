#!/usr/bin/env bash
# Baton demo: installs what is missing, builds, then runs a Mininet network
# where two clients send requests for different paths to the VIP, and prints
# which server (and pool) answered each, in nat and then dsr mode.
#
#   scripts/demo.sh                 both modes
#   scripts/demo.sh --mode dsr      one mode
#   scripts/demo.sh --keep-logs     keep the run directories (logs, configs)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash "$root/scripts/setup.sh"
echo "=== Building Baton (mvn -B -q -DskipTests package)"
mvn -B -q -DskipTests package
echo "=== Running the demo"
exec /usr/bin/python3 "$root/mininet-tests/demo.py" "$@" </dev/null
