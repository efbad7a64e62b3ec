#!/bin/sh
# Compiles the oracle into corpus/oracle/build/ when a source is newer than the build.
set -e
here=$(cd "$(dirname "$0")" && pwd)
. "$here/classpath.sh"
stamp="$here/build/.stamp"
if [ -f "$stamp" ] && [ -z "$(find "$here" -maxdepth 1 -name '*.java' -newer "$stamp")" ]; then
    exit 0
fi
mkdir -p "$here/build"
javac -nowarn -encoding UTF-8 -cp "$ORACLE_CP" -d "$here/build" "$here"/*.java
touch "$stamp"
