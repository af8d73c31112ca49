#!/bin/sh
# Tries the cluster by hand on one machine: Redis, two club-chat nodes and nginx in front of them as the
# WebSocket load balancer, all on loopback. Open http://localhost:8100/a/ and http://localhost:8100/b/ in
# two tabs: each is pinned to one node, and they chat through Redis. Ctrl-C stops everything.
# Needs redis-server and nginx (Debian: sudo apt-get install redis-server nginx) and a JDK with Maven.
set -eu
cd "$(dirname "$0")/.."
REDIS_PORT=${REDIS_PORT:-6390}
NODE_A=${NODE_A:-8101}
NODE_B=${NODE_B:-8102}
BALANCER=${BALANCER:-8100}
JAR=target/club-chat-standalone.jar
for tool in redis-server nginx java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "needs $tool: sudo apt-get install redis-server nginx" >&2; exit 1; }
done
[ -f "$JAR" ] || mvn -q package -DskipTests
work=$(mktemp -d)
mkdir -p "$work/logs"
pids=""
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' INT TERM EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/logs/redis.log" 2>&1 &
pids="$pids $!"
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.2; done
for node in "a $NODE_A" "b $NODE_B"; do
    set -- $node
    CLUBCHAT_REDIS_URI="redis://127.0.0.1:$REDIS_PORT" CLUBCHAT_PORT="$2" java -jar "$JAR" >"$work/logs/node-$1.log" 2>&1 &
    pids="$pids $!"
done

cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    # WebSocket: pass the upgrade on, and keep quiet connections open (the server pings every 30 s).
    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
    proxy_http_version 1.1;
    proxy_set_header Upgrade \$http_upgrade;
    proxy_set_header Connection \$connection_upgrade;
    proxy_set_header Host \$host;
    proxy_read_timeout 1h;
    upstream clubchat {
        server 127.0.0.1:$NODE_A;
        server 127.0.0.1:$NODE_B;
    }
    server {
        listen 127.0.0.1:$BALANCER;
        location /a/ { proxy_pass http://127.0.0.1:$NODE_A/; }   # pinned to node a
        location /b/ { proxy_pass http://127.0.0.1:$NODE_B/; }   # pinned to node b
        location / { proxy_pass http://clubchat; }              # round robin
    }
}
CONF
for port in "$NODE_A" "$NODE_B"; do
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.3; done
done
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids="$pids $!"
echo "Redis on $REDIS_PORT, nodes on $NODE_A and $NODE_B, nginx on $BALANCER."
echo "Open http://localhost:$BALANCER/a/ and http://localhost:$BALANCER/b/ (or just http://localhost:$BALANCER/)."
echo "Logs in $work/logs. Ctrl-C stops everything."
wait
