#!/usr/bin/env bash
# The hot path against an older build and ws-ref: 10 clubs x 100 members at 250 chats/s, warm, each of
# the three once per round, ROUNDS rounds (default 5), printing µs of server CPU per delivery.
#   OLD_JAR=/tmp/old.jar bench/hot-path.sh [ROUNDS] [TAG]
# OLD_JAR: e.g. target/club-chat-standalone.jar of `mvn package` in a worktree of commit 21665b0.
set -euo pipefail
cd "$(dirname "$0")"
OLD_JAR=${OLD_JAR:?set OLD_JAR to the older standalone jar}
NEW_JAR=$(cd .. && pwd)/target/club-chat-standalone.jar
ROUNDS=${1:-5} TAG=${2:-hot-path}
FANOUT=(custom fanout --clubs 10 --members 100 --senders 1 --rate 250 --duration 8)
for r in $(seq 1 "$ROUNDS"); do
  for t in old main ws-ref; do
    case $t in
      old) jar=$OLD_JAR ;;
      main) jar=$NEW_JAR ;;
    esac
    if [ $t = ws-ref ]; then
      ./run.sh ws-ref --warm 2 --tag "$TAG" "${FANOUT[@]}" > /dev/null 2>&1
    else
      ./run.sh --cmd "env CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 java -Xms256m -Xmx1g -jar $jar" \
        --name "$t" --warm 2 --tag "$TAG" "${FANOUT[@]}" > /dev/null 2>&1
    fi
    tail -1 results/results.jsonl | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);
      console.log('$r $t', (r.server_cpu_pct*1e4/r.delivered_per_s).toFixed(1), 'µs per delivery, p99', r.p99_ms, 'ms, loss', r.loss_pct, '%')})"
  done
done
