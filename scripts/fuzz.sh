#!/usr/bin/env bash
# Fuzzes each of Baton's four Jazzer targets for a bounded time (JAZZER_FUZZ=1: fuzzing mode,
# where a plain build only replays the committed seeds). Fails if any target has a finding;
# Jazzer writes it next to the seeds (src/test/resources/.../<Class>Inputs/<method>/crash-*),
# so the next plain build replays it. The growing corpus stays in <module>/.cifuzz-corpus/.
#
#   scripts/fuzz.sh                  every target, 15 s of fuzzing each
#   scripts/fuzz.sh --seconds N      N seconds each
#   scripts/fuzz.sh --only NAME      one target: http, tls, handoff or rest (repeatable)
#   scripts/fuzz.sh --offline        Maven offline (-o)
#
# Each target costs about 15 s more than its fuzzing time: Maven, and Jazzer's instrumentation.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# name | what it fuzzes | module | test class#method | extra Maven arguments
targets=(
    "http|HTTP head decoder|dispatcher|HttpHeadDecoderFuzzTest#anyBytesInAnySplitEndTheSame|"
    "tls|TLS ClientHello decoder|dispatcher|TlsClientHelloDecoderFuzzTest#anyBytesInAnySplitEndTheSame|"
    "handoff|handoff wire decoder|handoff-protocol|HandoffWireFuzzTest#anyBytesDecodeOrFailCleanly|"
    # Compiling the operator's regexes is what the rules API is for: no regex-injection finding.
    "rest|REST JSON bodies|controller-app|RestJsonFuzzTest#anyBodyParsesOrIsRefused|-Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexInjection"
)

seconds=15
only=()
maven=(mvn -B -q)
while (($#)); do
    case $1 in
        --seconds)
            [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds needs a whole number above 0" >&2; exit 2; }
            seconds=$2; shift ;;
        --only)
            [[ -n ${2:-} ]] || { echo "fuzz.sh: --only needs a target name" >&2; exit 2; }
            only+=("$2"); shift ;;
        --offline) maven+=(-o) ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for name in "${only[@]}"; do
    printf '%s\n' "${targets[@]}" | grep -q "^$name|" || { echo "fuzz.sh: no target named $name" >&2; exit 2; }
done

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
ran=0 failed=0 started=$SECONDS
for t in "${targets[@]}"; do
    IFS='|' read -r name what module test extra <<<"$t"
    if ((${#only[@]})) && ! printf '%s\n' "${only[@]}" | grep -qx "$name"; then
        continue
    fi
    ran=$((ran + 1))
    echo "=== Fuzzing: $what ($module, $test), ${seconds} s"
    log="$logs/$name.log"
    t0=$SECONDS
    # -am: the modules it depends on come from this build, never from ~/.m2.
    JAZZER_FUZZ=1 "${maven[@]}" -pl "$module" -am test "-Dtest=$test" -Dsurefire.failIfNoSpecifiedTests=false \
        "-Djazzer.max_duration=${seconds}s" ${extra:+"$extra"} >"$log" 2>&1
    status=$?
    took=$((SECONDS - t0))
    # libFuzzer's last status line, e.g. "#116509 DONE cov: 580 ft: 1810 corp: 369/39Kb ... exec/s: 10591"
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    if ((status == 0)) && [[ -n $done_line ]]; then
        read -r runs _ _ cov _ <<<"$done_line"
        echo "    ok in ${took} s: ${runs#\#} inputs, coverage $cov, no finding"
        continue
    fi
    failed=$((failed + 1))
    if ((status == 0)); then
        echo "fuzz.sh: $what: Jazzer did not fuzz (no libFuzzer summary; is JAZZER_FUZZ honoured?)" >&2
    else
        echo "fuzz.sh: $what: FAILED after ${took} s (a finding, or the build failed):" >&2
    fi
    # A finding: where its input went, the input, the exception and the failed test. Otherwise
    # (a build failure) the end of the log without libFuzzer's progress lines.
    finding=$( { grep -E 'Test unit written to|^Base64:' "$log"; grep -m1 -A6 '^Caused by:' "$log"
                 grep -E '^\[ERROR\]   [A-Za-z]+Test' "$log"; } )
    if [[ -n $finding ]]; then
        echo "$finding" >&2
    else
        grep -vE '^#[0-9]+[[:space:]]|^INFO: (Loaded|Instrumented)' "$log" | tail -40 >&2
    fi
done

echo "fuzz.sh: $ran targets fuzzed ${seconds} s each in $((SECONDS - started)) s, $failed failed"
((failed == 0))
