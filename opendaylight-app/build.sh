#!/usr/bin/env bash
# Builds and tests Baton's OpenDaylight adapter (opendaylight-app) from a clean machine:
#   bash opendaylight-app/build.sh [extra Maven arguments]
#
# OpenDaylight 0.21's jars are Java 21 class files and its Maven parents want Maven 3.9.5+, while
# the root build stays on Java 17 / Maven 3.8 (--release 11). So this script picks both itself:
#   - Java: $BATON_ODL_JAVA_HOME, else Temurin 25 in /usr/lib/jvm, else a JAVA_HOME that is 21+;
#   - Maven: the Maven wrapper beside this script (.mvn/wrapper: Maven 3.9.16 from Maven Central,
#     downloaded once into ~/.m2/wrapper).
# It builds reactor/pom.xml: the Baton modules the adapter needs, from source (their tests are the
# root build's business and are not run here), then the adapter with its unit tests (surefire) and
# the OSGi resolution test (failsafe). Nothing is installed into ~/.m2. Exit status: Maven's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

pick_java() {
    local candidate
    for candidate in "${BATON_ODL_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk \
            /usr/lib/jvm/temurin-21-jdk-amd64 "${JAVA_HOME:-}"; do
        if [[ -n "$candidate" && -x "$candidate/bin/javac" ]] && (( $(java_major "$candidate") >= 21 )); then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME="$(pick_java)"; then
    echo "build.sh: no JDK 21+ found (set BATON_ODL_JAVA_HOME, or install Temurin 25 in /usr/lib/jvm)" >&2
    exit 2
fi
export JAVA_HOME
echo "*** opendaylight-app: Java $(java_major "$JAVA_HOME") from $JAVA_HOME, Maven from the wrapper"

cd "$here"
exec ./mvnw -B -f reactor/pom.xml \
    -Dtest='io.baton.opendaylight.**.*Test' -Dit.test='io.baton.opendaylight.**.*IT' -Dsurefire.failIfNoSpecifiedTests=false \
    verify "$@"
