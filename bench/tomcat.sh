#!/usr/bin/env bash
# Runs target/club-chat.war in the foreground on the Tomcat 11 that `mvn verify` unpacked into
# target/containers, listening on 127.0.0.1:$PORT, with a fresh CATALINA_BASE in target/bench-tomcat.
# For run.sh (`bench/run.sh tomcat ...` does this):
#   bench/run.sh --cmd bench/tomcat.sh --url 'ws://127.0.0.1:{PORT}/club-chat/chat' --name tomcat custom fanout ...
# BENCH_WAR=path runs another build (to compare two in one sitting).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TOMCAT_HOME="$(ls -d "$HERE"/../target/containers/apache-tomcat-11.* | head -1)"
[ -d "$TOMCAT_HOME" ] || { echo "no Tomcat under target/containers: run mvn verify once" >&2; exit 1; }
BASE="$HERE/../target/bench-tomcat"
rm -rf "$BASE"
mkdir -p "$BASE"/{logs,temp,webapps,work}
cp -r "$TOMCAT_HOME/conf" "$BASE/"
sed -i "s/port=\"8080\"/port=\"${PORT:?}\" address=\"127.0.0.1\"/; s/port=\"8005\"/port=\"-1\"/" "$BASE/conf/server.xml"
cp "${BENCH_WAR:-$HERE/../target/club-chat.war}" "$BASE/webapps/club-chat.war"
export CATALINA_HOME="$TOMCAT_HOME" CATALINA_BASE="$BASE"
export CATALINA_OPTS="${JAVA_OPTS:--Xms256m -Xmx1g}"
export CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000
exec "$TOMCAT_HOME/bin/catalina.sh" run
