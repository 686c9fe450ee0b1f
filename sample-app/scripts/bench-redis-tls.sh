#!/usr/bin/env bash
# Side-by-side redis-benchmark --tls of a real redis-server (OpenSSL, --tls-port) and the
# sample's kv-tls server (the kv handler behind netpoll's TLS), as issue 12 asks: -c 50, SET and
# GET, with and without -P 16. Both serve the sample's development-only certificate
# (src/main/resources/dev-tls); servers pinned to CPU 0, redis-benchmark to CPU 1, as in
# bench-redis.sh. Prints one table per pipeline depth: requests per second, the server's CPU time per
# request (from /proc/<pid>/stat: the load generator on CPU 1 is often the bottleneck, so CPU per
# request is the server-side cost) and kv-tls / redis-server,
# and kv-tls's offloaded/readmitted connections (Actuator) after the warm-up and at the end.
# Needs: redis-server built with TLS and redis-tools (Debian packages), a packaged sample-app.jar.
# Usage: sample-app/scripts/bench-redis-tls.sh [requests] [clients]
# Environment: WARMUP (requests per warm-up round, default 200000), PLAIN=1 adds the plaintext
# redis-server and kv for scale, APP_ARGS adds arguments to the sample app,
# KV_TLS_PORT (6390), REDIS_TLS_PORT (6399), KV_PORT (6380), REDIS_PORT (6389),
# NETPOLL_TLS_PROVIDER (auto|jdk|openssl: kv-tls's TLS engine, netpoll.servers.kv-tls.ssl.provider;
# default: the sample's setting, auto = OpenSSL when netty-tcnative loads).
# The sample sets netpoll.poller.spin-before-block=20us (application.properties);
# APP_ARGS=--netpoll.poller.spin-before-block=0 measures the library's default, no spin
# (docs/architecture.md "Spin before blocking"; measured in docs/benchmarks.md, kv-tls sessions 5-6).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-500000}
C=${2:-50}
WARMUP=${WARMUP:-200000}
TESTS=set,get
KV_TLS_PORT=${KV_TLS_PORT:-6390}
REDIS_TLS_PORT=${REDIS_TLS_PORT:-6399}
KV_PORT=${KV_PORT:-6380}
REDIS_PORT=${REDIS_PORT:-6389}
JAR=sample-app/target/sample-app.jar
TLS_DIR=sample-app/src/main/resources/dev-tls
[ -f "$JAR" ] || { echo "package first: mvn -B -pl sample-app -am -DskipTests package" >&2; exit 1; }

redis_pid=; app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
}
trap cleanup EXIT

# redis-server: TLS on REDIS_TLS_PORT with the same certificate and key, plaintext on REDIS_PORT
# (used only with PLAIN=1); no client certificates asked for, as kv-tls by default.
taskset -c 0 redis-server --port "$REDIS_PORT" --tls-port "$REDIS_TLS_PORT" --bind 127.0.0.1 \
  --tls-cert-file "$TLS_DIR/server.crt" --tls-key-file "$TLS_DIR/server.key" \
  --tls-ca-cert-file "$TLS_DIR/ca.crt" --tls-auth-clients no \
  --save '' --appendonly no --daemonize no --logfile /dev/null & redis_pid=$!
provider_args=()
[ -n "${NETPOLL_TLS_PROVIDER:-}" ] && provider_args=(--netpoll.servers.kv-tls.ssl.provider="$NETPOLL_TLS_PROVIDER")
taskset -c 0 java -jar "$JAR" --logging.level.root=WARN --netpoll.servers.kv-tls.port="$KV_TLS_PORT" \
  --netpoll.servers.kv.port="$KV_PORT" ${provider_args[@]+"${provider_args[@]}"} ${APP_ARGS:-} >/dev/null 2>&1 & app_pid=$!
for port in "$REDIS_TLS_PORT" "$KV_TLS_PORT"; do
  for _ in $(seq 1 240); do
    timeout 2 redis-cli --tls --insecure -p "$port" ping 2>/dev/null | grep -q PONG && break
    kill -0 "$app_pid" 2>/dev/null || { echo "the sample app exited" >&2; exit 1; }
    kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server exited (built without TLS?)" >&2; exit 1; }
    sleep 0.25
  done
  timeout 2 redis-cli --tls --insecure -p "$port" ping 2>/dev/null | grep -q PONG \
    || { echo "no TLS PONG on port $port" >&2; exit 1; }
done

cpu_ticks() { # pid -> user+system clock ticks so far
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

bench() { # tls(0|1) port pipeline pid -> "SET <requests/s> <server CPU us/request>" lines
  local tls=() test rate c0 c1
  [ "$1" = 1 ] && tls=(--tls --insecure)
  for test in ${TESTS//,/ }; do
    c0=$(cpu_ticks "$4")
    rate=$(taskset -c 1 redis-benchmark "${tls[@]}" -p "$2" -c "$C" -n "$N" -P "$3" -t "$test" -q 2>/dev/null \
      | tr '\r' '\n' | grep -E '^[A-Z_]+: [0-9.]+ requests per second' \
      | sed -E 's/^[A-Z_]+: ([0-9.]+) requests per second.*/\1/')
    c1=$(cpu_ticks "$4")
    echo "${test^^} $rate $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$N" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
  done
}

# JIT warm-up of the Java server (not recorded), with and without pipelining (see bench-redis.sh).
for P in 1 16; do
  taskset -c 1 redis-benchmark --tls --insecure -p "$KV_TLS_PORT" -c "$C" -n $((WARMUP * P)) -P $P -t "$TESTS" -q \
    >/dev/null 2>&1
  if [ "${PLAIN:-0}" = 1 ]; then
    taskset -c 1 redis-benchmark -p "$KV_PORT" -c "$C" -n $((WARMUP * P)) -P $P -t "$TESTS" -q >/dev/null 2>&1
  fi
done

# kv-tls's connections moved to the offload pool and back (adaptive mode; Actuator on port 8080).
offloads() {
  local m v out=""
  for m in offloaded readmitted; do
    v=$(curl -s "http://127.0.0.1:8080/actuator/metrics/netpoll.server.handlers.$m?tag=server:kv-tls" 2>/dev/null \
      | jq -r '.measurements[0].value // "n/a"' 2>/dev/null || echo n/a)
    out+="$m ${v:-n/a} "
  done
  echo "$out"
}
echo "# kv-tls after the warm-up: $(offloads)"

targets=("redis-server-tls:1:$REDIS_TLS_PORT:$redis_pid" "kv-tls:1:$KV_TLS_PORT:$app_pid")
if [ "${PLAIN:-0}" = 1 ]; then
  targets+=("redis-server:0:$REDIS_PORT:$redis_pid" "kv:0:$KV_PORT:$app_pid")
fi

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), java $(java -version 2>&1 | head -1)"
echo "# $(redis-server --version | cut -d' ' -f1-3), $(openssl version); kv-tls provider: ${NETPOLL_TLS_PROVIDER:-sample default (auto)}"
echo "# redis-benchmark --tls --insecure -c $C -n $N -t $TESTS -q [-P 16]; dev certificate: $(openssl x509 -in "$TLS_DIR/server.crt" -noout -text | grep -m1 'Public Key Algorithm' | sed 's/.*: //')"
declare -A rps cpu
for P in 1 16; do
  for target in "${targets[@]}"; do
    IFS=: read -r name tls port pid <<<"$target"
    while read -r test value us; do
      rps["$name/$P/$test"]=$value
      cpu["$name/$P/$test"]=$us
    done < <(bench "$tls" "$port" "$P" "$pid")
  done
done

echo "# kv-tls at the end: $(offloads)"

for P in 1 16; do
  echo
  echo "## -P $P (requests per second; the server's CPU time per request in us)"
  header="| test |"; rule="|---|"
  for target in "${targets[@]}"; do header+=" ${target%%:*} | us/req |"; rule+="---:|---:|"; done
  header+=" kv-tls / redis-server-tls | CPU/req kv-tls / redis-server-tls |"; rule+="---:|---:|"
  echo "$header"; echo "$rule"
  for test in SET GET; do
    row="| $test |"
    for target in "${targets[@]}"; do
      row+=" ${rps["${target%%:*}/$P/$test"]:-n/a} | ${cpu["${target%%:*}/$P/$test"]:-n/a} |"
    done
    r=${rps["redis-server-tls/$P/$test"]:-}; k=${rps["kv-tls/$P/$test"]:-}
    rc=${cpu["redis-server-tls/$P/$test"]:-}; kc=${cpu["kv-tls/$P/$test"]:-}
    if [ -n "$r" ] && [ -n "$k" ]; then
      row+=" $(awk -v k="$k" -v r="$r" 'BEGIN { printf "%.2fx", (r > 0) ? k / r : 0 }') |"
      row+=" $(awk -v k="$kc" -v r="$rc" 'BEGIN { printf "%.2fx", (r > 0) ? k / r : 0 }') |"
    else
      row+=" n/a | n/a |"
    fi
    echo "$row"
  done
done
