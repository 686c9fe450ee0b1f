#!/usr/bin/env bash
# The wave-2 benchmark run recorded in docs/benchmarks.md (2026-12-06). Usage:
#   BENCH=/path/to/built/copy/of/shared/bench OUT=/tmp/bench-out benchmarks/scripts/bench-wave2.sh REPO [sections...]
# REPO is this repository, packaged (mvn -B -ntp -DskipTests package).
# sections: echo tls tlsossl hs jmh kv kvtls kvtlsossl   (default: echo tls hs jmh kv kvtls)
# tlsossl / kvtlsossl: the same with BoringSSL engines (Netty's --tls-provider openssl; netpoll with
# NETPOLL_TLS_PROVIDER=openssl, the sample with netpoll.servers.kv-tls.ssl.provider=openssl).
set -u
R=$(cd "$1" && pwd); shift
B=${BENCH:?BENCH must name a built copy of the shared harness (./build.sh --netty)}
O=${OUT:-/tmp/netpoll-bench-out}; mkdir -p $O
S=${*:-echo tls hs jmh kv kvtls}
NETTY='java -Xms512m -Xmx512m -jar netty-echo/target/netty-echo.jar'
cd $B
log() { echo "$(date -u +%T) $*" | tee -a $O/timeline; }
log "start load=$(cut -d' ' -f1-3 /proc/loadavg) sections=$S"
for s in $S; do case $s in
echo)
  export CONNS="64 1000" SIZES="64 1024 16384" DUR=5 WARM=3 EXTRA=1 RAW=$O/raw.txt
  for round in 1 2; do
    if [ $round = 1 ]; then order="nio def wrk inl epl"; else order="epl inl wrk def nio"; fi
    for x in $order; do
      case $x in
      nio) HEADER=0 ./run-echo.sh netty-nio "$NETTY --port 9101 --transport nio --threads 1" 9101 ;;
      epl) HEADER=0 ./run-echo.sh netty-epoll "$NETTY --port 9103 --transport epoll --threads 1" 9103 ;;
      def) HEADER=0 ./run-echo.sh netpoll-default "$R/benchmarks/echo-server 9102" 9102 ;;
      wrk) HEADER=0 ./run-echo.sh netpoll-worker "env NETPOLL_MODE=worker $R/benchmarks/echo-server 9102" 9102 ;;
      inl) HEADER=0 ./run-echo.sh netpoll-inline "env NETPOLL_MODE=inline $R/benchmarks/echo-server 9102" 9102 ;;
      esac > $O/echo-r$round-$x.md 2>&1
      log "echo round $round $x done"
    done
  done ;;
tls)
  export CONNS="64 1000" SIZES="1024 16384" DUR=5 WARM=6 EXTRA=1 TLS=1 RAW=$O/raw-tls.txt
  for x in nettyjdk def nettyjdk2 def2; do
    case $x in
    nettyjdk*) HEADER=0 ./run-echo.sh netty-nio-tls-jdk "$NETTY --port 9101 --transport nio --threads 1 --tls $B/cert.pem $B/key.pem --tls-provider jdk" 9101 ;;
    def*) HEADER=0 ./run-echo.sh netpoll-default-tls "env NETPOLL_TLS_CERT=$B/cert.pem NETPOLL_TLS_KEY=$B/key.pem $R/benchmarks/echo-server 9102" 9102 ;;
    esac > $O/tls-$x.md 2>&1
    log "tls $x done"
  done
  unset TLS ;;
tlsossl)
  export CONNS="64 1000" SIZES="1024 16384" DUR=5 WARM=6 EXTRA=1 TLS=1 RAW=$O/raw-tlsossl.txt
  for x in nettyossl def nettyossl2 def2; do
    case $x in
    nettyossl*) HEADER=0 ./run-echo.sh netty-nio-tls-openssl "$NETTY --port 9101 --transport nio --threads 1 --tls $B/cert.pem $B/key.pem --tls-provider openssl" 9101 ;;
    def*) HEADER=0 ./run-echo.sh netpoll-default-tls-openssl "env NETPOLL_TLS_PROVIDER=openssl NETPOLL_TLS_CERT=$B/cert.pem NETPOLL_TLS_KEY=$B/key.pem $R/benchmarks/echo-server 9102" 9102 ;;
    esac > $O/tlsossl-$x.md 2>&1
    log "tlsossl $x done"
  done
  unset TLS ;;
hs)
  # full handshakes per second, openssl s_time -new (client pinned to CPU 1, server to CPU 0), 10 s each
  for x in netty def; do
    case $x in
    netty) taskset -c 0 $NETTY --port 9101 --transport nio --threads 1 --tls $B/cert.pem $B/key.pem --tls-provider jdk >/dev/null 2>&1 & p=$!; port=9101 ;;
    def) env NETPOLL_TLS_CERT=$B/cert.pem NETPOLL_TLS_KEY=$B/key.pem taskset -c 0 $R/benchmarks/echo-server 9102 >/dev/null 2>&1 & p=$!; port=9102 ;;
    esac
    for _ in $(seq 300); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
    for v in tls1_3 tls1_2; do
      taskset -c 1 openssl s_time -connect 127.0.0.1:$port -new -time 5 -$v >/dev/null 2>&1 # warm-up
      echo "## $x $v" >> $O/hs.txt
      taskset -c 1 openssl s_time -connect 127.0.0.1:$port -new -time 10 -$v 2>&1 | grep -E 'connections' >> $O/hs.txt
    done
    kill $p; wait $p 2>/dev/null
    log "hs $x done"
  done ;;
jmh)
  (cd $R && java -jar benchmarks/target/benchmarks.jar 'PoolAcquireReleaseBenchmark|ConcurrentWriterBenchmark' -f 2 -wi 5 -i 5 -w 1s -r 2s -prof gc -rf json -rff $O/jmh-client.json) > $O/jmh-client.txt 2>&1
  log "jmh done" ;;
kv)
  (cd $R && sample-app/scripts/bench-redis.sh 500000 50) > $O/kv.txt 2>&1
  log "kv done" ;;
kvtls)
  (cd $R && sample-app/scripts/bench-redis-tls.sh) > $O/kvtls.txt 2>&1
  log "kvtls done" ;;
kvtlsossl)
  (cd $R && NETPOLL_TLS_PROVIDER=openssl sample-app/scripts/bench-redis-tls.sh) > $O/kvtlsossl.txt 2>&1
  log "kvtlsossl done" ;;
esac; done
log "end load=$(cut -d' ' -f1-3 /proc/loadavg)"
