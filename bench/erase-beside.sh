#!/usr/bin/env bash
# Erasing a person beside the load (issue "Reading back and taking back", docs/performance.md): the
# launcher with the store on CPU 0, the 10 x 100 at 250 chats/s load from gen.js on CPU 1, and a person
# with a million stored messages (100 clubs x 10,000, seeded straight into the store) erased with
# POST /api/erase while the load runs. Alone and beside, three times each, after one warm-up; the
# person is seeded again before each erasure.
#   bench/erase-beside.sh [DB_NAME]      (default clubchat_bench on 127.0.0.1:5432, user postgres)
set -u
cd "$(dirname "$0")"
DB=${1:-clubchat_bench}
JAR=../target/club-chat-standalone.jar
[ -f "$JAR" ] || (cd .. && mvn -q package -DskipTests)
PORT=18310
KEY=erase-bench
PSQL=(psql -q -h 127.0.0.1 -U postgres -d "$DB" -v ON_ERROR_STOP=1)
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$DB"

seed() { # a million messages of sub eraser-bench, in clubs erase-0 .. erase-99
  "${PSQL[@]}" <<'SQL'
DELETE FROM clubchat_club WHERE club_id LIKE 'erase-%';
INSERT INTO clubchat_club (club_id, epoch, last_seq) SELECT 'erase-' || c, 'erase', 10000 FROM generate_series(0, 99) c;
INSERT INTO clubchat_message (club_id, seq, ts, sender, from_name, message)
  SELECT 'erase-' || c, s, 1796000000000 + s, 'eraser-bench', 'Eraser', '지워질 메시지 ' || s || ' — café 🎉'
  FROM generate_series(0, 99) c, generate_series(1, 10000) s;
SQL
}

(env CLUBCHAT_PORT=$PORT CLUBCHAT_RATE_PER_SECOND=1000000 CLUBCHAT_RATE_BURST=1000000 CLUBCHAT_CONNECTIONS_MAX=100000 \
   CLUBCHAT_API_KEY=$KEY CLUBCHAT_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" CLUBCHAT_DB_USER=postgres \
   taskset -c 0 java -Xms256m -Xmx1g -jar "$JAR" > /tmp/erase-beside.log 2>&1 & echo $! > /tmp/erase-beside.pid)
# The first start may build V2__deleting.sql's indexes on a large database.
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.5; done
pid=$(cat /tmp/erase-beside.pid)
gen=(taskset -c 1 node load/gen.js --proto clubchat --url "ws://127.0.0.1:$PORT/chat" --server-pid "$pid"
  fanout --clubs 10 --members 100 --senders 1 --rate 250 --duration 30)
erase() {
  curl -s -o "/tmp/erase-beside-answer.json" -w '%{http_code} in %{time_total} s' -X POST "http://127.0.0.1:$PORT/api/erase" \
    -H "Authorization: Bearer $KEY" -d '{"sub":"eraser-bench"}'
}
"${gen[@]}" --quiet > /dev/null
for r in 1 2 3; do
  echo "[alone $r] $("${gen[@]}" 2>&1 | grep 'R=')"
  seed
  (sleep 2; echo "[erase $r] $(erase) $(cat /tmp/erase-beside-answer.json)" > /tmp/erase-beside-$r.txt) &
  echo "[beside $r] $("${gen[@]}" 2>&1 | grep 'R=')"
  wait
  cat /tmp/erase-beside-$r.txt
done
kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
"${PSQL[@]}" -c "DELETE FROM clubchat_club WHERE club_id LIKE 'erase-%'"
