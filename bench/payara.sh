#!/usr/bin/env bash
# Runs target/club-chat.war in the foreground on the Payara Micro 6 that `mvn verify` downloaded into
# target/containers, on port $PORT (Payara Micro has no bind-address option: it listens on every
# interface; the generator talks to 127.0.0.1), with a fresh root in target/bench-payara.
# For run.sh (`bench/run.sh payara ...` does this):
#   bench/run.sh --cmd bench/payara.sh --url 'ws://127.0.0.1:{PORT}/club-chat/chat' --name payara custom fanout ...
# BENCH_WAR=path runs another build (to compare two in one sitting).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
JAR="$(ls "$HERE"/../target/containers/payara-micro-6.*.jar | head -1)"
[ -f "$JAR" ] || { echo "no Payara Micro 6 under target/containers: run mvn verify once" >&2; exit 1; }
ROOT="$HERE/../target/bench-payara"
rm -rf "$ROOT"
mkdir -p "$ROOT"/{root,unpacked}
export CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000
# --nohazelcast --disablephonehome: no cluster multicast, no cloud-metadata probes.
exec java ${JAVA_OPTS:--Xms256m -Xmx1g} -jar "$JAR" --nohazelcast --disablephonehome \
  --deploy "${BENCH_WAR:-$HERE/../target/club-chat.war}" --contextroot club-chat --port "${PORT:?}" \
  --rootdir "$ROOT/root" --unpackdir "$ROOT/unpacked"
