#!/usr/bin/env bash
# Side-by-side redis-benchmark of a real redis-server and the sample's kv server (directly and
# through the proxy), as issue 5 asks: servers pinned to CPU 0, redis-benchmark to CPU 1.
# Needs: redis-server and redis-tools (Debian packages), a packaged sample-app.jar.
# Usage: sample-app/scripts/bench-redis.sh [requests] [clients]
# APP_ARGS adds arguments to the sample app, e.g. APP_ARGS=--sample.kv.inline-handlers=true.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-500000}
C=${2:-50}
TESTS=ping,set,get,incr,mset
JAR=sample-app/target/sample-app.jar
[ -f "$JAR" ] || { echo "package first: mvn -B -pl sample-app -am -DskipTests package" >&2; exit 1; }

redis_pid=; app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
}
trap cleanup EXIT

# redis-server on 6389: the sample's kv-tls server has 6390.
taskset -c 0 redis-server --port 6389 --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile /dev/null & redis_pid=$!
taskset -c 0 java -jar "$JAR" --logging.level.root=WARN ${APP_ARGS:-} >/dev/null 2>&1 & app_pid=$!
for port in 6389 6380 6381; do
  for _ in $(seq 1 240); do redis-cli -p $port ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
done

bench() { # port pipeline
  taskset -c 1 redis-benchmark -p "$1" -c "$C" -n "$N" -P "$2" -t "$TESTS" -q 2>/dev/null \
    | tr '\r' '\n' | grep -E '^[A-Z_]+( \(.*\))?: [0-9.]+ requests per second' | sed 's/ requests per second.*//'
}

# JIT warm-up of the Java servers (not recorded), with and without pipelining: the pipelined
# path (many commands per read) is compiled separately, and without this the first tests of the
# -P 16 round ran at half speed.
for P in 1 16; do
  for port in 6380 6381; do
    taskset -c 1 redis-benchmark -p $port -c "$C" -n $((200000 * P)) -P $P -t "$TESTS" -q >/dev/null 2>&1
  done
done

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), java $(java -version 2>&1 | head -1)"
echo "# redis-benchmark -c $C -n $N -t $TESTS -q [-P 16]"
for P in 1 16; do
  for target in "redis-server:6389" "kv:6380" "proxy:6381"; do
    echo "## $target P=$P"
    bench "${target#*:}" "$P"
  done
done
