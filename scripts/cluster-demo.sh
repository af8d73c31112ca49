#!/bin/sh
# Tries the cluster by hand on one machine: Redis, two club-chat nodes and nginx in front of them as the
# WebSocket load balancer, all on loopback. Open http://localhost:8100/a/ and http://localhost:8100/b/ in
# two tabs: each is pinned to one node, and they chat through Redis. Ctrl-C stops everything.
# With --sentinel, Redis is a primary, a replica and three sentinels, and the nodes find the primary
# through the sentinels; the script says how to fail it over while you chat.
# Needs redis-server and nginx (Debian: sudo apt-get install redis-server nginx) and a JDK with Maven.
set -eu
TOPOLOGY=single
case "${1:-}" in
    --sentinel) TOPOLOGY=sentinel ;;
    "") ;;
    *) echo "usage: $0 [--sentinel]" >&2; exit 2 ;;
esac
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

redis_node() { # port, then more redis-server options
    port=$1
    shift
    mkdir -p "$work/redis-$port"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis-$port" "$@" \
        >"$work/logs/redis-$port.log" 2>&1 &
    pids="$pids $!"
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.2; done
}
redis_node "$REDIS_PORT"
REDIS_URI="redis://127.0.0.1:$REDIS_PORT"
if [ "$TOPOLOGY" = sentinel ]; then
    redis_node $((REDIS_PORT + 1)) --replicaof 127.0.0.1 "$REDIS_PORT"
    sentinels=""
    for port in $((REDIS_PORT + 20000)) $((REDIS_PORT + 20001)) $((REDIS_PORT + 20002)); do
        mkdir -p "$work/sentinel-$port"
        printf '%s\n' "port $port" "bind 127.0.0.1" "dir $work/sentinel-$port" \
            "sentinel monitor clubchat 127.0.0.1 $REDIS_PORT 2" \
            "sentinel down-after-milliseconds clubchat 5000" "sentinel failover-timeout clubchat 20000" \
            >"$work/sentinel-$port/sentinel.conf"
        redis-server "$work/sentinel-$port/sentinel.conf" --sentinel >"$work/logs/sentinel-$port.log" 2>&1 &
        pids="$pids $!"
        sentinels="$sentinels${sentinels:+,}127.0.0.1:$port"
    done
    REDIS_URI="redis-sentinel://$sentinels#clubchat"
fi
for node in "a $NODE_A" "b $NODE_B"; do
    set -- $node
    CLUBCHAT_REDIS_URI="$REDIS_URI" CLUBCHAT_PORT="$2" java -jar "$JAR" >"$work/logs/node-$1.log" 2>&1 &
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
if [ "$TOPOLOGY" = sentinel ]; then
    echo "Replica on $((REDIS_PORT + 1)), sentinels on $((REDIS_PORT + 20000))-$((REDIS_PORT + 20002)); the nodes use $REDIS_URI"
    echo "Fail over while you chat: redis-cli -p $((REDIS_PORT + 20000)) sentinel failover clubchat"
    echo "  (or kill the primary: redis-cli -p $REDIS_PORT shutdown nosave; the sentinels act after 5 s)"
fi
echo "Open http://localhost:$BALANCER/a/ and http://localhost:$BALANCER/b/ (or just http://localhost:$BALANCER/)."
echo "Logs in $work/logs. Ctrl-C stops everything."
wait
