#!/usr/bin/env bash
# Builds the benchmarks jar and prints the hand-off table with ratios to Netty and to the ceiling,
# all measured in one run.   Usage: benchmarks/run.sh [quick|full]   (quick: under 3 minutes)
# Anything after the mode is passed to JMH instead, e.g.: benchmarks/run.sh jmh -h
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find eventloop-core/src eventloop-msgqueue/src benchmarks/src -newer "$jar" -name '*.java' | head -1)" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
case "$mode" in
  quick|full) exec java -cp "$jar" io.jevent.bench.Report "$mode" ;;
  jmh) shift; exec java -jar "$jar" "$@" ;;
  *) echo "usage: $0 [quick|full|jmh <jmh args>]" >&2; exit 2 ;;
esac
