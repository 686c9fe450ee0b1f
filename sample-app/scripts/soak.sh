#!/usr/bin/env bash
# Soak test of the packaged sample app (not part of `mvn verify`): mixed load for a chosen time
# (echo round trips, kv SET/GET/INCR/DEL through the proxy, connection churn; every answer
# verified), sampled every 5 s: throughput, errors, the app's RSS and heap, netpoll buffer memory,
# connections. Writes samples.csv, summary.md and rss.png (drawn in Java, headless) to OUTDIR.
# Exits non-zero on any error, any buffer leak report in the app's log, an app that died, or an
# app that still holds connections or buffer memory after the load stopped.
#
# Usage: sample-app/scripts/soak.sh [DURATION] [OUTDIR]    (DURATION: 90s, 10m, 1h; default 10m)
# Environment:
#   SOAK_SKIP_BUILD=1   use the jars already in sample-app/target and benchmarks/target
#   LEAK_LEVEL          netpoll.leakDetection.level of the app (default paranoid: every node tracked)
#   APP_JAVA_OPTS       JVM flags of the app (default: fixed 256 MiB heap, pre-touched, so RSS
#                       growth is native memory, not the heap growing)
#   DRIVER_ARGS         extra SoakDriver options (--echo-connections=, --churn-rate=, ...)
# Needs: a JDK 17+ (java, jcmd), Linux (/proc), Maven for the build step. Loopback only; free
# ports are picked, never the defaults, so it can run beside another copy of the app.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10m}
OUT=${2:-target/soak/$(date -u +%Y%m%dT%H%M%SZ)}
LEAK_LEVEL=${LEAK_LEVEL:-paranoid}
APP_JAVA_OPTS=${APP_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch}
APP_JAR=sample-app/target/sample-app.jar
DRIVER_JAR=benchmarks/target/benchmarks.jar

if [ "${SOAK_SKIP_BUILD:-0}" != 1 ]; then
  echo "building: mvn -B -ntp -q -pl sample-app,benchmarks -am -DskipTests package"
  mvn -B -ntp -q -pl sample-app,benchmarks -am -DskipTests package
fi
for jar in "$APP_JAR" "$DRIVER_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -ntp -pl sample-app,benchmarks -am -DskipTests package" >&2; exit 2; }
done
mkdir -p "$OUT"

read -r ECHO_PORT KV_PORT PROXY_PORT HTTP_PORT < <(java -cp "$DRIVER_JAR" io.netpoll.benchmarks.soak.FreePorts 4)
# shellcheck disable=SC2086 # APP_JAVA_OPTS is a list of flags
java $APP_JAVA_OPTS -Dnetpoll.leakDetection.level="$LEAK_LEVEL" -jar "$APP_JAR" \
  --netpoll.servers.echo.port="$ECHO_PORT" --netpoll.servers.kv.port="$KV_PORT" \
  --netpoll.servers.proxy.port="$PROXY_PORT" --server.port="$HTTP_PORT" >"$OUT/app.log" 2>&1 &
app=$!
stop_app() {
  if kill -0 "$app" 2>/dev/null; then
    kill -TERM "$app" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$app" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$app" 2>/dev/null || true
  fi
  wait "$app" 2>/dev/null || true
}
trap stop_app EXIT

echo "app pid $app: echo $ECHO_PORT, kv $KV_PORT, proxy $PROXY_PORT, actuator $HTTP_PORT; log $OUT/app.log"
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
rc=0
# shellcheck disable=SC2086 # DRIVER_ARGS is a list of options
java -Xmx256m -Djava.awt.headless=true -cp "$DRIVER_JAR" io.netpoll.benchmarks.soak.SoakDriver \
  --echo-port="$ECHO_PORT" --proxy-port="$PROXY_PORT" --http-port="$HTTP_PORT" --pid="$app" \
  --app-log="$OUT/app.log" --out="$OUT" --duration="$DURATION" \
  --app-info="$APP_JAVA_OPTS -Dnetpoll.leakDetection.level=$LEAK_LEVEL, $(java -version 2>&1 | head -1)" \
  ${DRIVER_ARGS:-} || rc=$?
exit $rc
