#!/usr/bin/env bash
# Builds the benchmarks jar and prints a table of jevent against its baselines, all measured in one run.
#   Usage: benchmarks/run.sh [quick|full|echo|echo-full|tls|tls-full|tls-aa|chat [cell numbers]|chat-irc [rounds]|jmh <jmh args>]
#   quick|full:     hand-off to a loop from other threads (JMH; quick is under 3 minutes)
#   echo|echo-full: echo over loopback, jevent's echo servers against Netty's, each server in its own
#                   JVM (echo is under 3 minutes, echo-full about 12)
#   tls|tls-full:   TLS echo over loopback, jevent's TLS buffer event against Netty's SslHandler (JDK
#                   provider), same protocol and cipher suite, each server in its own JVM: 64 and 1,000
#                   connections x 4 KiB, and handshakes per second (tls: about 4 minutes with the build, more on
#                   a loaded machine);
#                   tls-aa: Netty's TLS server against a second copy of itself, the noise floor of the ratios
#   chat:           the chat server (examples-chatroom/target/chatroom.jar, in its own JVM) under a load of
#                   real protocol clients: group and private cells and a 1,000-user reconnect storm (under
#                   5 minutes; cells 1-5 may be picked, e.g. chat 3 4; --io-threads N sets the server's loops,
#                   --load-threads N the load generator's threads, e.g. chat --io-threads 2 1 2; --group-rate R
#                   runs cell 2 at R messages a second;
#                   CHAT_SERVER_JVM_ARGS adds JVM options to the server only, e.g. a JFR recording)
#   chat-irc:       the 1,000-user group cell from a load generator in C, against the chat server and
#                   against ngircd (an in-memory IRC server), interleaved: chat-irc [rounds] [msgs/s]
#                   (needs gcc and ngircd: apt-get install gcc ngircd; about 2 minutes a round)
#   jmh:            anything after it is passed to JMH instead, e.g.: benchmarks/run.sh jmh -h
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
jar=benchmarks/target/benchmarks.jar
chatjar=examples-chatroom/target/chatroom.jar
if [ ! -f "$jar" ] || [ ! -f "$chatjar" ] || [ -n "$(find eventloop-core/src eventloop-msgqueue/src eventloop-examples/src examples-chatroom/src benchmarks/src -newer "$jar" -name '*.java' | head -1)" ]; then
  # No javadoc jars: the benchmarks need none, and in a fresh tree javadoc's link detection forked a
  # build of test-support (a test-only dependency of the chat module) that failed on its javadoc.
  ./mvnw -B -q -pl benchmarks,examples-chatroom -am package -DskipTests -Dmaven.javadoc.skip=true
fi
case "$mode" in
  quick|full) exec java -cp "$jar" io.jevent.bench.Report "$mode" ;;
  echo) exec java -cp "$jar" io.jevent.bench.echo.EchoReport quick ;;
  echo-full) exec java -cp "$jar" io.jevent.bench.echo.EchoReport full ;;
  tls) exec java -cp "$jar" io.jevent.bench.echo.TlsEchoReport quick ;;
  tls-full) exec java -cp "$jar" io.jevent.bench.echo.TlsEchoReport full ;;
  tls-aa) exec java -cp "$jar" io.jevent.bench.echo.TlsEchoReport aa ;;
  chat) shift; exec java ${CHAT_SERVER_JVM_ARGS:+"-Dchat.serverJvmArgs=$CHAT_SERVER_JVM_ARGS"} -cp "$jar:$chatjar" io.jevent.bench.chat.ChatReport "$chatjar" "$@" ;;
  chat-irc) shift; exec benchmarks/c/group-vs-irc.sh "$jar" "$chatjar" "$@" ;;
  jmh) shift; exec java -jar "$jar" "$@" ;;
  *) echo "usage: $0 [quick|full|echo|echo-full|tls|tls-full|tls-aa|chat [cells]|chat-irc [rounds]|jmh <jmh args>]" >&2; exit 2 ;;
esac
