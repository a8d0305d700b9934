#!/usr/bin/env bash
# Builds the benchmarks jar and prints a table of jevent against its baselines, all measured in one run.
#   Usage: benchmarks/run.sh [quick|full|echo|echo-full|jmh <jmh args>]
#   quick|full:     hand-off to a loop from other threads (JMH; quick is under 3 minutes)
#   echo|echo-full: echo over loopback, jevent's echo servers against Netty's, each server in its own
#                   JVM (echo is under 3 minutes, echo-full about 12)
#   jmh:            anything after it is passed to JMH instead, e.g.: benchmarks/run.sh jmh -h
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find eventloop-core/src eventloop-msgqueue/src eventloop-examples/src benchmarks/src -newer "$jar" -name '*.java' | head -1)" ]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
case "$mode" in
  quick|full) exec java -cp "$jar" io.jevent.bench.Report "$mode" ;;
  echo) exec java -cp "$jar" io.jevent.bench.echo.EchoReport quick ;;
  echo-full) exec java -cp "$jar" io.jevent.bench.echo.EchoReport full ;;
  jmh) shift; exec java -jar "$jar" "$@" ;;
  *) echo "usage: $0 [quick|full|echo|echo-full|jmh <jmh args>]" >&2; exit 2 ;;
esac
