#!/usr/bin/env bash
# A club of 10,000 (issue "Large clubs and dense nodes", docs/performance.md): 10,000 clients join one
# club, 200 at a time, on the presence limit's default (1000); then one member reads every name with
# `members`, and the last `count` each server's members got is reported with when it came.
#   - launcher: the standalone server alone on CPU 0;
#   - redis: two standalone nodes and their redis-server, all three on CPU 0, the clients spread over both
#     nodes (connection i on node i mod 2).
# The generator runs on CPU 1. Three runs of each (RUNS=n for another number).
#   bench/large-club.sh [N]
set -u
cd "$(dirname "$0")"
N=${1:-10000}
JAR=$PWD/../target/club-chat-standalone.jar
[ -f "$JAR" ] || (cd .. && mvn -q package -DskipTests)
SERVER_ENV=(CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000)
PIDS=()
node_up() { # PORT LOG [ENV...]
  local port=$1 log=$2; shift 2
  (env "${SERVER_ENV[@]}" CLUBCHAT_PORT="$port" "$@" taskset -c 0 java -Xms256m -Xmx1g -jar "$JAR" > "$log" 2>&1 & echo $! > /tmp/large-club.pid)
  PIDS+=("$(cat /tmp/large-club.pid)")
  for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && return; sleep 0.5; done
  echo "node on $port did not start: $log" >&2; exit 1
}
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
  PIDS=()
}
fill() { # LABEL URLS
  taskset -c 1 node load/gen.js --proto clubchat --url "$2" --label "$1" --out /tmp/large-club-$1.jsonl \
    idle --n "$N" --clubs 1 --hold 3 --list --concurrency 200 2>&1 | grep -E 'connected|listed|count per'
}
for r in $(seq "${RUNS:-3}"); do
  node_up 18400 /tmp/large-club-launcher.log
  echo "[launcher $r]"; fill launcher "ws://127.0.0.1:18400/chat"
  stop_all
  DIR=$(mktemp -d)
  taskset -c 0 redis-server --port 18409 --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" > "$DIR/redis.log" 2>&1 &
  REDIS=$!
  for _ in $(seq 50); do redis-cli -p 18409 ping > /dev/null 2>&1 && break; sleep 0.1; done
  node_up 18401 /tmp/large-club-node0.log CLUBCHAT_REDIS_URI=redis://127.0.0.1:18409
  node_up 18402 /tmp/large-club-node1.log CLUBCHAT_REDIS_URI=redis://127.0.0.1:18409
  echo "[redis two nodes $r]"; fill redis "ws://127.0.0.1:18401/chat,ws://127.0.0.1:18402/chat"
  stop_all
  kill "$REDIS"; wait "$REDIS" 2>/dev/null; rm -rf "$DIR"
done
