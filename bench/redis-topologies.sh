#!/usr/bin/env bash
# Redis topologies (issue "Redis you can lose, and more than one", docs/performance.md): the same load on
# two club-chat nodes against one Redis, a Sentinel group (primary, replica, three sentinels) and a
# three-primary Redis Cluster, one after the other. Reports, for each Redis data node, its CPU (INFO cpu)
# over a run at LOW chats/s (the members' joins included) and one at RATE, and how many commands it ran
# in the second: on a cluster they divide between the shards.
#   - the two nodes on CPU 0; Redis, the sentinels and the generator on CPU 1;
#   - load: 60 clubs of 10 members spread over both nodes, one sender per club; LOW (default 200) and RATE
#     (default 800) chats/s, DURATION (default 15) s each after 3 s of warm-up.
#   bench/redis-topologies.sh [RATE [LOW]]
set -u
cd "$(dirname "$0")"
RATE=${1:-800}
LOW=${2:-200}
DURATION=${DURATION:-15}
JAR=$PWD/../target/club-chat-standalone.jar
[ -f "$JAR" ] || (cd .. && mvn -q package -DskipTests)
SERVER_ENV=(CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000)
WORK=$(mktemp -d)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

started() { PIDS+=("$!"); }
redis_node() { # PORT [redis-server options...]
  local port=$1; shift
  mkdir -p "$WORK/$port"
  taskset -c 1 redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK/$port" "$@" \
    > "$WORK/$port/redis.log" 2>&1 &
  started
  for _ in $(seq 50); do redis-cli -p "$port" ping > /dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server on $port did not start" >&2; exit 1
}
node_up() { # PORT URI
  (env "${SERVER_ENV[@]}" CLUBCHAT_PORT="$1" CLUBCHAT_REDIS_URI="$2" taskset -c 0 java -Xms256m -Xmx1g -jar "$JAR" \
    > "$WORK/node-$1.log" 2>&1 & echo $! > "$WORK/pid")
  PIDS+=("$(cat "$WORK/pid")")
  for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return; sleep 0.5; done
  echo "node on $1 did not start: $WORK/node-$1.log" >&2; exit 1
}
cpu() { # PORT: seconds of CPU the redis-server has used
  redis-cli -p "$1" info cpu | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.3f", s }'
}
calls() { # PORT: commands the redis-server has run (scripts count once)
  redis-cli -p "$1" info commandstats | awk -F'[=,]' '/^cmdstat_/ { s += $2 } END { print s }'
}
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
  PIDS=()
}
run_load() { # LABEL RATE: prints how many chats were sent in the measured window
  taskset -c 1 node load/gen.js --proto clubchat --url ws://127.0.0.1:18501/chat,ws://127.0.0.1:18502/chat --label "$1" \
    --out "$WORK/$1.jsonl" fanout --clubs 60 --members 10 --senders 1 --rate "$2" --duration "$DURATION" --warmup 3 2>&1 \
    | grep -E 'R=' >&2
  node -e 'const r = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse).pop();
    console.log(r.sent + Math.round(r.sent_per_s * r.warmup_s))' "$WORK/$1.jsonl"
}
measure() { # LABEL URI DATA_PORTS...
  local label=$1 uri=$2; shift 2
  node_up 18501 "$uri"
  node_up 18502 "$uri"
  local low=() high=() high_calls=() port i sent_low sent_high
  for port in "$@"; do low+=("$(cpu "$port")"); done
  sent_low=$(run_load "$label-low" "$LOW")
  for port in "$@"; do high+=("$(cpu "$port")"); high_calls+=("$(calls "$port")"); done
  sent_high=$(run_load "$label-high" "$RATE")
  i=0
  for port in "$@"; do
    awk -v l="$label" -v p="$port" -v a="${low[$i]}" -v b="${high[$i]}" -v c="$(cpu "$port")" -v n1="$sent_low" -v n2="$sent_high" \
      -v k1="${high_calls[$i]}" -v k2="$(calls "$port")" \
      'BEGIN { printf "  %s redis :%s  cpu %.2f s for %d chats (joins included), %.2f s and %d commands for %d chats (%.1f us a command)\n", l, p, b - a, n1, c - b, k2 - k1, n2, 1e6 * (c - b) / (k2 - k1) }'
    i=$((i + 1))
  done
  stop_all
}

echo "[one Redis]"
redis_node 18510
measure single redis://127.0.0.1:18510 18510

echo "[Sentinel: primary, replica, three sentinels]"
redis_node 18520
redis_node 18521 --replicaof 127.0.0.1 18520
SENTINELS=""
for port in 18522 18523 18524; do
  mkdir -p "$WORK/$port"
  printf '%s\n' "port $port" "bind 127.0.0.1" "dir $WORK/$port" "sentinel monitor clubchat 127.0.0.1 18520 2" > "$WORK/$port/sentinel.conf"
  taskset -c 1 redis-server "$WORK/$port/sentinel.conf" --sentinel > "$WORK/$port/redis.log" 2>&1 &
  started
  SENTINELS="$SENTINELS${SENTINELS:+,}127.0.0.1:$port"
done
sleep 2
measure sentinel "redis-sentinel://$SENTINELS#clubchat" 18520 18521

echo "[Redis Cluster: three primaries]"
for port in 18530 18531 18532; do
  redis_node "$port" --cluster-enabled yes --cluster-config-file "$WORK/$port/nodes.conf"
done
redis-cli --cluster create 127.0.0.1:18530 127.0.0.1:18531 127.0.0.1:18532 --cluster-replicas 0 --cluster-yes > "$WORK/create.log" 2>&1
until redis-cli -p 18530 cluster info | grep -q cluster_state:ok; do sleep 0.2; done
measure cluster "redis-cluster://127.0.0.1:18530,127.0.0.1:18531,127.0.0.1:18532" 18530 18531 18532
