#!/usr/bin/env bash
# `history` beside the load (issue "Reading back", docs/performance.md): the launcher on CPU 0 with the
# 10 x 100 at 250 chats/s load from gen.js and, beside it, load/history.js asking for 50 messages 100
# times a second, both generators on CPU 1; in memory, then with the store (DB_URL, default the local
# clubchat_bench database: its reads go below the newest 100 that memory holds). Alone and beside,
# three times each, after one warm-up of both.
#   bench/history-beside.sh [DB_URL]
set -u
cd "$(dirname "$0")"
DB_URL=${1:-jdbc:postgresql://127.0.0.1:5432/clubchat_bench}
JAR=../target/club-chat-standalone.jar
[ -f "$JAR" ] || (cd .. && mvn -q package -DskipTests)
PORT=18300
run() { # MODE SERVER_ENV HISTORY_ARGS
  local mode=$1 env=$2 hargs=$3
  (env CLUBCHAT_PORT=$PORT CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000 $env \
     taskset -c 0 java -Xms256m -Xmx1g -jar "$JAR" > "/tmp/history-beside-$mode.log" 2>&1 & echo $! > /tmp/history-beside.pid)
  for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.5; done
  local pid; pid=$(cat /tmp/history-beside.pid)
  local gen=(taskset -c 1 node load/gen.js --proto clubchat --url "ws://127.0.0.1:$PORT/chat" --server-pid "$pid"
    fanout --clubs 10 --members 100 --senders 1 --rate 250 --duration 10)
  local history=(taskset -c 1 node load/history.js --url "ws://127.0.0.1:$PORT/chat" --seed 300 --rate 100 --duration 10 $hargs)
  (sleep 2; "${history[@]}" > /dev/null) &
  "${gen[@]}" --quiet > /dev/null
  wait
  for r in 1 2 3; do
    echo "[$mode alone $r] $("${gen[@]}" 2>&1 | grep 'R=')"
    (sleep 2; "${history[@]}" > "/tmp/history-beside-$mode-$r.json") &
    echo "[$mode beside $r] $("${gen[@]}" 2>&1 | grep 'R=')"
    wait
    echo "[$mode history $r] $(cat "/tmp/history-beside-$mode-$r.json")"
  done
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}
run memory "" ""
run store "CLUBCHAT_DB_URL=$DB_URL CLUBCHAT_DB_USER=postgres" "--before-min 51 --before-max 150"
