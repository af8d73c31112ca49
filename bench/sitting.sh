#!/usr/bin/env bash
# The sitting behind docs/performance.md: every scenario against club-chat standalone (java), the WAR on
# Tomcat 11 (tomcat) and Payara Micro 6 (payara), ws-ref and the NestJS seed, one after another on this
# machine, then the write floor. About 50 minutes. The containers come from `mvn verify` (target/containers).
#   bench/sitting.sh TAG        results go to results/results.jsonl with "tag":"TAG"
set -euo pipefail
cd "$(dirname "$0")"
TAG=${1:?usage: sitting.sh TAG}
PEERS=(java tomcat payara ws-ref nestjs-seed)
FANOUT_10x100=(custom fanout --clubs 10 --members 100 --senders 1 --rate 250 --duration 8)
FANOUT_1x1000=(custom fanout --clubs 1 --members 1000 --senders 1 --rate 25 --duration 8)
FILL_1000=(custom idle --n 1000 --clubs 1 --hold 1)
# A deploy or a network blip: 1000 members of one club leave at once (close frames, then TCP resets) and
# come straight back; each round is timed from the first close to the last welcome + joined.
STORM_CLEAN=(custom storm --n 1000 --clubs 1 --rounds 2)
STORM_DROP=(custom storm --n 1000 --clubs 1 --rounds 2 --drop)

for t in "${PEERS[@]}"; do ./run.sh "$t" --tag "$TAG" "${FANOUT_10x100[@]}"; done            # cold: first load on a fresh process
for r in 1 2; do for t in "${PEERS[@]}"; do ./run.sh "$t" --warm 2 --tag "$TAG" "${FANOUT_10x100[@]}"; done; done
for t in "${PEERS[@]}"; do ./run.sh "$t" --warm 2 --tag "$TAG" "${FANOUT_1x1000[@]}"; done
for t in "${PEERS[@]}"; do ./run.sh "$t" --warm 3 --tag "$TAG" "${FILL_1000[@]}"; done
for t in "${PEERS[@]}"; do ./run.sh "$t" --warm 1 --tag "$TAG" "${STORM_CLEAN[@]}"; done
for t in "${PEERS[@]}"; do ./run.sh "$t" --warm 1 --tag "$TAG" "${STORM_DROP[@]}"; done
# A club of 10,000 on the launcher and on two Redis nodes (issue "Large clubs"), one run each; then one
# chat a second to a club of 10,000 beside the 1 x 1000 figure above.
RUNS=1 ./large-club.sh 10000
./run.sh java --warm 1 --tag "$TAG" custom fanout --clubs 1 --members 10000 --senders 1 --rate 1 --duration 10
# The WAR as browsers meet it: clients that offer permessage-deflate (declined by default), and the
# memory an idle joined connection costs on each container.
for t in java tomcat payara; do ./run.sh "$t" --warm 2 --tag "$TAG" "${FANOUT_10x100[@]}" --client lib --deflate; done
for t in java tomcat payara; do ./run.sh "$t" --warm 3 --tag "$TAG" "${FILL_1000[@]}" --client lib --deflate; done
for t in java tomcat payara; do ./run.sh "$t" --tag "$TAG" idle-5000; done
# 32 members that stop reading in busy clubs, beside 10 x 100 at 250 chats/s: the others' latency, and the
# same load with nobody stopping. Payara buffers about 15 MB for each before a write shows it, so there
# the busy clubs send 50 KB messages (and a lighter load beside them: Payara's one core is full otherwise).
for t in java tomcat; do for mode in --busy-reading ""; do
  ./run.sh "$t" --warm 1 --tag "$TAG" "${FANOUT_10x100[@]}" --warmup 10 --duration 20 --stopped 32 $mode; done; done
for mode in --busy-reading ""; do
  CLUBCHAT_MESSAGE_MAX_LENGTH=60000 ./run.sh payara --tag "$TAG" custom fanout --clubs 10 --members 100 --senders 1 --rate 50 \
    --warmup 10 --duration 25 --stopped 32 --busy-size 50000 --busy-rate 20 $mode; done
for t in java ws-ref nestjs-seed; do ./run.sh "$t" --tag "$TAG" idle-19500; done
JAVA_OPTS='-Xms64m -Xmx512m -XX:+UseSerialGC' ./run.sh java --tag "$TAG" idle-19500

# The floor: one bare write() per delivery, 25,000 a second to 1000 loopback connections.
for r in 1 2; do
  (taskset -c 0 java floor/WriteFloor.java server 18400 1000 25000 8 > "results/raw/floor-$TAG-$r.json" &)
  sleep 3
  taskset -c 1 java floor/WriteFloor.java client 18400 1000
  cat "results/raw/floor-$TAG-$r.json"
done
