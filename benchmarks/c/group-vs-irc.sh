#!/usr/bin/env bash
# Builds the C tools of the chat-against-IRC comparison and runs it (IrcComparison): the 1,000-user
# group cell from chat-group-load.c against the chat server and against ngircd, interleaved.
#   Usage: benchmarks/c/group-vs-irc.sh <benchmarks.jar> <chatroom.jar> [rounds] [msgs/s]
#   (benchmarks/run.sh chat-irc [rounds] [msgs/s] builds the jars and calls this.)
# Needs gcc and ngircd (Debian: apt-get install gcc ngircd).
set -euo pipefail
jar=$1
chatjar=$2
shift 2
ngircd=$(command -v ngircd || echo /usr/sbin/ngircd)
command -v gcc >/dev/null || { echo "needs gcc (apt-get install gcc)" >&2; exit 2; }
[ -x "$ngircd" ] || { echo "needs ngircd, the IRC server compared against (apt-get install ngircd)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
out=benchmarks/target/c
mkdir -p "$out"
gcc -O2 -Wall -o "$out/chat-group-load" "$here/chat-group-load.c"
gcc -O2 -Wall -shared -fPIC -o "$out/nodelay.so" "$here/nodelay.c" -ldl
exec java -cp "$jar:$chatjar" io.jevent.bench.chat.IrcComparison "$chatjar" "$out/chat-group-load" "$out/nodelay.so" \
    "$ngircd" "$@"
