# Sourced by the oracle scripts: the jars the oracle needs (Debian packages velocity,
# libcommons-lang-java, libjsonpath-java).
J=/usr/share/java
ORACLE_CP="$J/velocity-1.7.jar:$J/commons-lang-2.6.jar:$J/commons-collections3.jar"
ORACLE_CP="$ORACLE_CP:$J/json-path-2.0.0.jar:$J/json-smart-2.2.jar:$J/accessors-smart-1.1.jar"
ORACLE_CP="$ORACLE_CP:$J/asm.jar:$J/slf4j-api.jar:$J/slf4j-nop.jar"
export ORACLE_CP
