#!/bin/sh
# Renders one template with the Velocity 1.7 oracle (compiling it first when needed).
# Usage: corpus/oracle/run.sh TEMPLATE [EVENT.json] [INTEGRATION_RESPONSE]
# Prints exactly the rendered bytes; on a render error prints one line to stderr, exits 1.
set -e
here=$(cd "$(dirname "$0")" && pwd)
. "$here/classpath.sh"
"$here/build.sh" >&2
exec java -cp "$here/build:$ORACLE_CP" Oracle render "$@"
