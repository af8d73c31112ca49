#!/usr/bin/env bash
# Benchmark driver: start a server pinned to CPU 0, run the load generator pinned
# to CPU 1, sample the server's CPU% and RSS, stop the server, append the result
# to results/results.jsonl (one JSON object per run).
#
#   ./run.sh TARGET SCENARIO [extra generator args...]
#
# TARGET:
#   java                        this project's standalone server (target/club-chat-standalone.jar,
#                               built if missing or stale), -Xms256m -Xmx1g, rate limits far above the offered rates
#   tomcat, payara              target/club-chat.war (built if missing or stale) on Tomcat 11 (tomcat.sh) or
#                               Payara Micro 6 (payara.sh), as `mvn verify` unpacked them, same heap and limits;
#                               BENCH_WAR=path deploys another build instead (two builds in one sitting)
#   ws-ref                      peers/ws-ref (Node + ws, the PROTOCOL.md reference)
#   nestjs-seed                 peers/nestjs-seed (the blog's NestJS socket.io gateway)
#   --cmd 'COMMAND' [--url URL] [--name NAME] [--proto clubchat|socketio] [--cwd DIR]
#                               any server; COMMAND and URL may contain {PORT}.
#                               The server gets PORT, CLUBCHAT_PORT and -Dclubchat.port
#                               (through JAVA_TOOL_OPTIONS) set to the chosen port.
# Common options (before SCENARIO): --port P (default 18100), --tag TEXT (free text stored
#   with the result), --ready-timeout S (default 120), --nice N (run server and generator
#   under `nice -n N`, e.g. -5 on a machine shared with other work; default 0), --warm N
#   (run the same generator N times first, unmeasured: a warmed-up, JIT-compiled server).
# SCENARIO: one of the presets below, or "custom" followed by raw generator args:
#   fanout-10x100   10 clubs x 100 members, 1 sender per club, --find-max
#   fanout-1x1000   1 club x 1000 members, 1 sender, --find-max
#   fanout-100x10   100 clubs x 10 members, 2 senders per club, --find-max
#   idle-5000       5000 idle connections over 100 clubs
#   idle-19500      19500 idle connections over 100 clubs (the per-process open-file hard
#                   limit here is 20000, so 20000 connections cannot be held by one process)
#   custom ARGS...  e.g. custom fanout --clubs 5 --members 50 --rate 300
# Extra args after the scenario are passed to load/gen.js (e.g. --duration 5 --client lib).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"

TARGET="" CMD="" URL="" NAME="" PROTO="" CWD="" READY_URL="" PORT=18100 TAG="" READY_TIMEOUT=120 NICE=0 WARM=0
case "${1:-}" in
  java|tomcat|payara|ws-ref|nestjs-seed) TARGET="$1"; shift ;;
  --cmd) ;;
  *) sed -n '2,30p' "$0"; exit 2 ;;
esac
while [ $# -gt 0 ]; do
  case "$1" in
    --cmd) CMD="$2"; TARGET=custom; shift 2 ;;
    --url) URL="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --proto) PROTO="$2"; shift 2 ;;
    --cwd) CWD="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --tag) TAG="$2"; shift 2 ;;
    --ready-timeout) READY_TIMEOUT="$2"; shift 2 ;;
    --nice) NICE="$2"; shift 2 ;;
    --warm) WARM="$2"; shift 2 ;;
    *) break ;;
  esac
done
SCEN="${1:?scenario missing (fanout-10x100, fanout-1x1000, fanout-100x10, idle-5000, idle-19500, custom ...)}"; shift

DEF_URL='ws://127.0.0.1:{PORT}/chat'
case "$TARGET" in
  java)
    JAR="$HERE/../target/club-chat-standalone.jar"
    # Built when missing or older than any source, so a run never measures a jar left from other code.
    if [ ! -f "$JAR" ] || [ -n "$(cd "$HERE/.." && find src pom.xml -newer "$JAR" -print -quit)" ]; then
      (cd "$HERE/.." && mvn -q package -DskipTests)
    fi
    CMD="env CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000 java ${JAVA_OPTS:--Xms256m -Xmx1g} -jar $JAR"
    PROTO=${PROTO:-clubchat}; NAME=${NAME:-java} ;;
  tomcat|payara)
    WAR="$HERE/../target/club-chat.war"
    if [ ! -f "$WAR" ] || [ -n "$(cd "$HERE/.." && find src webapp pom.xml -newer "$WAR" -print -quit)" ]; then
      (cd "$HERE/.." && mvn -q package -DskipTests)
    fi
    CMD="$HERE/$TARGET.sh"; DEF_URL='ws://127.0.0.1:{PORT}/club-chat/chat'
    # A container listens before it has deployed the WAR: ready is the application's page answering.
    READY_URL="http://127.0.0.1:$PORT/club-chat/"
    PROTO=${PROTO:-clubchat}; NAME=${NAME:-$TARGET} ;;
  ws-ref)      CMD="$HERE/peers/ws-ref/start.sh"; PROTO=${PROTO:-clubchat}; NAME=${NAME:-ws-ref} ;;
  nestjs-seed) CMD="$HERE/peers/nestjs-seed/start.sh"; PROTO=${PROTO:-socketio}; NAME=${NAME:-nestjs-seed}; DEF_URL='ws://127.0.0.1:{PORT}' ;;
  custom)      PROTO=${PROTO:-clubchat}; NAME=${NAME:-custom} ;;
esac
[ -n "$URL" ] || URL="$DEF_URL"
CMD="${CMD//\{PORT\}/$PORT}"; URL="${URL//\{PORT\}/$PORT}"

case "$SCEN" in
  fanout-10x100) GARGS=(fanout --clubs 10 --members 100 --senders 1 --find-max) ;;
  fanout-1x1000) GARGS=(fanout --clubs 1 --members 1000 --senders 1 --find-max) ;;
  fanout-100x10) GARGS=(fanout --clubs 100 --members 10 --senders 2 --find-max) ;;
  idle-5000)     GARGS=(idle --n 5000 --clubs 100 --hold 10) ;;
  idle-19500)    GARGS=(idle --n 19500 --clubs 100 --hold 10) ;;
  idle-*)        GARGS=(idle --n "${SCEN#idle-}" --clubs 100 --hold 10) ;;
  custom)        GARGS=() ;;
  *) echo "unknown scenario $SCEN" >&2; exit 2 ;;
esac
GARGS+=("$@")

# preflight: tools, deps, limits, port
command -v taskset >/dev/null || { echo "taskset missing (util-linux)" >&2; exit 1; }
[ -d load/node_modules/ws ] || (cd load && npm install --no-audit --no-fund >/dev/null)
[ "$TARGET" = ws-ref ] && { [ -d peers/ws-ref/node_modules/ws ] || (cd peers/ws-ref && npm install --no-audit --no-fund >/dev/null); }
if [ "$TARGET" = nestjs-seed ]; then
  [ -d peers/nestjs-seed/node_modules/@nestjs/core ] || (cd peers/nestjs-seed && npm install --no-audit --no-fund >/dev/null)
  (cd peers/nestjs-seed && { [ -f dist/main.js ] || npx tsc -p tsconfig.json; })
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
mkdir -p results/raw
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is already in use; pick another with --port" >&2; exit 1; fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="results/raw/$STAMP-$NAME-$SCEN"
echo "== $NAME $SCEN  port $PORT  nofile $NOFILE  load $(cut -d' ' -f1-3 /proc/loadavg)  raw $RAW.*"

# start the server on CPU 0
export PORT CLUBCHAT_PORT="$PORT"
export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Dclubchat.port=$PORT"
( [ -n "$CWD" ] && cd "$CWD"; exec nice -n "$NICE" taskset -c 0 bash -c "exec $CMD" ) >"$RAW.server.log" 2>&1 &
SPID=$!
LPID=""
cleanup() {
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  for p in $LPID $SPID; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0; for p in $LPID $SPID; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in $LPID $SPID; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# wait until something listens on the port, and find the listening process (the one to measure)
t0=$(date +%s)
until LPID=$(ss -ltnpH "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2) && [ -n "$LPID" ]; do
  kill -0 "$SPID" 2>/dev/null || { echo "server exited; log:" >&2; tail -20 "$RAW.server.log" >&2; exit 1; }
  [ $(( $(date +%s) - t0 )) -gt "$READY_TIMEOUT" ] && { echo "server not listening on $PORT after ${READY_TIMEOUT}s" >&2; exit 1; }
  sleep 0.2
done
until [ -z "$READY_URL" ] || [ "$(curl -s -o /dev/null -w '%{http_code}' "$READY_URL")" = 200 ]; do
  [ $(( $(date +%s) - t0 )) -gt "$READY_TIMEOUT" ] && { echo "$READY_URL not answering 200 after ${READY_TIMEOUT}s" >&2; exit 1; }
  sleep 0.2
done
READY_S=$(( $(date +%s) - t0 ))
sleep 1
echo "   server pid $LPID ($(tr -d '\0' </proc/$LPID/comm)), listening after ~${READY_S}s, affinity $(taskset -pc "$LPID" | awk '{print $NF}')"

# sample the server every second: epoch_ms utime+stime(ticks) rss_kib threads
(
  while kill -0 "$LPID" 2>/dev/null; do
    st=$(cat /proc/$LPID/stat 2>/dev/null) || break
    rest=${st##*) }; set -- $rest
    rss=$(awk '/VmRSS/{print $2}' /proc/$LPID/status 2>/dev/null)
    echo "$(date +%s%3N) $(( ${12} + ${13} )) ${rss:-0} ${18}"
    sleep 1
  done
) >"$RAW.samples" &
SAMPLER=$!

# run the generator on CPU 1 (first --warm times unmeasured, e.g. to measure a JIT-compiled server)
set +e
for ((w = 0; w < WARM; w++)); do
  taskset -c 1 node load/gen.js --proto "$PROTO" --url "$URL" --quiet "${GARGS[@]}" >/dev/null 2>&1
done
nice -n "$NICE" taskset -c 1 node load/gen.js --proto "$PROTO" --url "$URL" --server-pid "$LPID" --label "$NAME" "${GARGS[@]}" \
  >"$RAW.gen.jsonl" 2> >(tee "$RAW.gen.log" >&2)
GEN_RC=$?
set -e
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
cleanup; trap - EXIT

# merge: generator JSON + server samples + run metadata -> results/results.jsonl
node - "$RAW" "$NAME" "$SCEN" "$CMD" "$PORT" "$GEN_RC" "$NOFILE" "$TAG" "$NICE" "$WARM" <<'EOF'
const fs = require('fs');
const [raw, name, scen, cmd, port, rc, nofile, tag, nice, warm] = process.argv.slice(2);
const lines = fs.readFileSync(raw + '.gen.jsonl', 'utf8').split('\n').filter((l) => l.startsWith('{'));
const res = lines.length ? JSON.parse(lines[lines.length - 1]) : { error: 'generator produced no result' };
const s = fs.readFileSync(raw + '.samples', 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number));
const cpu = [];
for (let i = 1; i < s.length; i++) cpu.push((100 * (s[i][1] - s[i - 1][1]) / 100) / ((s[i][0] - s[i - 1][0]) / 1000));
const sorted = [...cpu].sort((a, b) => a - b);
const out = {
  target: name, preset: scen, cmd, port: +port, gen_rc: +rc, tag: tag || undefined, nice: +nice, warm_runs: +warm,
  machine: { nproc: require('os').cpus().length, cpu_model: require('os').cpus()[0].model, mem_gib: +(require('os').totalmem() / 2 ** 30).toFixed(1),
    kernel: require('os').release(), node: process.version, nofile: +nofile, loadavg_end: require('os').loadavg().map((x) => +x.toFixed(2)) },
  server_samples: { n: s.length, cpu_pct_avg: cpu.length ? +(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(1) : null,
    cpu_pct_p90: sorted.length ? +sorted[Math.floor(sorted.length * 0.9)].toFixed(1) : null,
    rss_kib_max: s.length ? Math.max(...s.map((x) => x[2])) : null, threads_max: s.length ? Math.max(...s.map((x) => x[3])) : null },
  raw,
  ...res,
};
fs.appendFileSync('results/results.jsonl', JSON.stringify(out) + '\n');
console.log(`   -> results/results.jsonl (${name} ${scen}); server cpu avg ${out.server_samples.cpu_pct_avg}% rss max ${out.server_samples.rss_kib_max} KiB`);
EOF
exit "$GEN_RC"
