#!/usr/bin/env bash
# Baton's test command: Maven unit tests of every module, a bounded fuzzing run
# of each Jazzer target (scripts/fuzz.sh), then the Mininet end-to-end tests (as
# root, with /usr/bin/python3: Debian's Mininet).
# The last line printed is "N passed, N failed" for the Mininet part; the
# exit code is non-zero if anything failed, or if no Mininet test ran.
#
#   scripts/test.sh                 everything
#   scripts/test.sh --quick         skip Mininet tests marked slow
#   scripts/test.sh --mininet-only  skip Maven
#   scripts/test.sh --unit-only     skip Mininet
#   scripts/test.sh --no-fuzz       skip the fuzzing run (about 2 minutes)
#   scripts/test.sh --fuzz-seconds N  fuzz each target N seconds (default 15)
#   scripts/test.sh --require-baton fail (not skip) end-to-end tests when
#                                   bin/baton-controller or bin/baton-agent
#                                   is missing
#   scripts/test.sh -- ARGS         pass ARGS on to pytest (e.g. -k keep_alive)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=0 unit=1 mininet=1 fuzz=1 fuzz_seconds=15
pytest_extra=()
while (($#)); do
    case $1 in
        --quick) quick=1 ;;
        --mininet-only) unit=0 ;;
        --unit-only) mininet=0 ;;
        --no-fuzz) fuzz=0 ;;
        --fuzz-seconds) fuzz_seconds=${2:-}; shift ;;
        --require-baton) pytest_extra+=(--require-baton) ;;
        --keep-logs) pytest_extra+=(--keep-logs) ;;
        --) shift; pytest_extra+=("$@"); break ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if ! [[ $fuzz_seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "test.sh: --fuzz-seconds needs a whole number above 0" >&2
    exit 2
fi
if ((!unit && !mininet)); then
    echo "test.sh: --unit-only and --mininet-only exclude each other" >&2
    exit 2
fi

bash "$root/scripts/setup.sh" || { echo "test.sh: setup failed" >&2; exit 1; }

status=0
maven_failed=0
if ((unit)); then
    echo "=== Maven: unit tests of all modules (mvn -B -fae verify)"
    if ! mvn -B -fae verify; then
        echo "test.sh: Maven tests failed" >&2
        status=1
        maven_failed=1
        if ((mininet)); then
            # A module whose tests fail is not packaged; the end-to-end tests
            # still run on the code as it is.
            echo "=== Maven: packaging without tests, for the end-to-end tests"
            mvn -B -q -DskipTests package || echo "test.sh: packaging failed" >&2
        fi
    fi
    if ((fuzz)); then
        # Fuzzing mode, bounded in time: a plain build only replays the committed seeds.
        echo "=== Fuzzing: each Jazzer target for ${fuzz_seconds} s (scripts/fuzz.sh)"
        if ! bash "$root/scripts/fuzz.sh" --seconds "$fuzz_seconds"; then
            echo "test.sh: fuzzing failed (a finding, or it could not run)" >&2
            status=1
        fi
    fi
    # OpenDaylight 0.21 wants Java 21 and Maven 3.9.5+: its adapter builds apart, with the
    # Maven wrapper and Temurin 25 (the script picks them).
    echo "=== OpenDaylight adapter (opendaylight-app/build.sh)"
    if ! bash "$root/opendaylight-app/build.sh"; then
        echo "test.sh: OpenDaylight adapter tests failed" >&2
        status=1
    fi
fi

if ((!mininet)); then
    exit $status
fi

echo "=== Mininet: end-to-end tests (pytest)"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
marker=()
((quick)) && marker=(-m "not slow")
/usr/bin/python3 -m pytest "$root/mininet-tests" -v "${marker[@]}" \
    --junitxml="$results/junit.xml" "${pytest_extra[@]}" </dev/null
pytest_status=$?

# Counts from the JUnit XML rather than pytest's summary line.  Errors (a
# fixture that failed) count as failures.
counts=$(/usr/bin/python3 - "$results/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print('0 0 0')
    sys.exit()
suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
tests = failed = skipped = 0
for s in suites:
    tests += int(s.get('tests', 0))
    failed += int(s.get('failures', 0)) + int(s.get('errors', 0))
    skipped += int(s.get('skipped', 0))
print(tests - failed - skipped, failed, skipped)
PY
)
read -r passed failed skipped <<<"$counts"

case $pytest_status in
    0) ;;
    5) echo "test.sh: pytest collected no Mininet test" >&2; status=1 ;;
    *) status=1 ;;
esac
if ((passed == 0)); then
    echo "test.sh: no Mininet test passed" >&2
    status=1
fi
((failed > 0)) && status=1
((skipped > 0)) && echo "($skipped Mininet tests skipped; see the reasons above)"
((maven_failed)) && echo "(Maven unit tests FAILED; see above)"
echo "$passed passed, $failed failed"
exit $status
