#!/bin/sh
# Regenerates every corpus case's `expected` (or `expected-error`) with the Velocity 1.7
# oracle. Installs the Debian packages the oracle needs when they are missing. Idempotent.
set -e
here=$(cd "$(dirname "$0")" && pwd)
need=""
for jar in velocity-1.7.jar commons-lang-2.6.jar json-path-2.0.0.jar json-smart-2.2.jar; do
    [ -f "/usr/share/java/$jar" ] || need=1
done
if [ -n "$need" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update
    $sudo apt-get install -y velocity libcommons-lang-java libjsonpath-java
fi
command -v javac >/dev/null || { echo "regen.sh: javac (JDK 17) is required" >&2; exit 1; }
"$here/oracle/build.sh"
. "$here/oracle/classpath.sh"
# Without the flag, a JIT-compiled NullPointerException loses its message
# after a few thousand cases, and expected-error files change from run to run.
exec java -XX:-OmitStackTraceInFastThrow -cp "$here/oracle/build:$ORACLE_CP" Oracle regen "$here"
