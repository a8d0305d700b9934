#!/usr/bin/env bash
# The 1,000-user group cell from a load generator in C (chat-group-load.c: one epoll thread, so the
# load costs the two cores as little as it can), against the chat server and against ngircd (an
# in-memory IRC server, everyone in one channel), in interleaved rounds; then each round's ratios.
#   Usage: benchmarks/c/group-vs-irc.sh <benchmarks.jar> <chatroom.jar> [rounds] [msgs/s]
#   (benchmarks/run.sh chat-irc [rounds] [msgs/s] builds the jars and calls this.)
# Needs gcc and ngircd (Debian: apt-get install gcc ngircd). The chat server runs as ChatReport runs
# it: its own JVM, 512 MiB heap, --send-rate 0, synchronous=FULL, users seeded with a cheap hash.
set -euo pipefail
jar=$1
chatjar=$2
rounds=${3:-3}
rate=${4:-200}
users=1000
senders=20
warmup=5
window=10
ngircd=$(command -v ngircd || echo /usr/sbin/ngircd)
command -v gcc >/dev/null || { echo "needs gcc (apt-get install gcc)" >&2; exit 2; }
[ -x "$ngircd" ] || { echo "needs ngircd, the IRC server compared against (apt-get install ngircd)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
out=benchmarks/target/c
mkdir -p "$out"
gcc -O2 -Wall -o "$out/chat-group-load" "$here/chat-group-load.c"
gcc -O2 -Wall -shared -fPIC -o "$out/nodelay.so" "$here/nodelay.c" -ldl
tmp=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

java -cp "$jar:$chatjar" io.jevent.bench.chat.SeedUsers "$tmp/seed.db" "$users" 1000
irc_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/ngircd.conf" <<EOF
[Global]
	Name = irc.load.test
	Info = chat benchmark baseline
	Listen = 127.0.0.1
	Ports = $irc_port
	PidFile = $tmp/ngircd.pid
	ServerUID = $(id -u)
	ServerGID = $(id -g)
	MotdPhrase = load
[Limits]
	MaxConnections = 0
	MaxConnectionsIP = 0
	MaxJoins = 0
	PingTimeout = 3600
	PongTimeout = 3600
[Options]
	DNS = no
	Ident = no
	PAM = no
[Operator]
	Name = load
	Password = load
EOF

# Starts the chat server on a copy of the seeded database; sets server and port.
start_chat() {
  rm -f "$tmp"/chat.db*
  cp "$tmp/seed.db" "$tmp/chat.db"
  java -Xms512m -Xmx512m -jar "$chatjar" server --port 0 --db "$tmp/chat.db" --send-rate 0 --keepalive 0 \
      --idle-timeout 3600 --log-level warn --pbkdf2-iterations 1000 > "$tmp/chat.log" 2>&1 &
  server=$!
  for _ in $(seq 150); do
    port=$(sed -n 's/^chat server listening on .*:\([0-9]*\), database .*/\1/p' "$tmp/chat.log")
    [ -n "$port" ] && return
    sleep 0.2
  done
  cat "$tmp/chat.log" >&2
  exit 1
}

start_irc() {
  LD_PRELOAD="$PWD/$out/nodelay.so" "$ngircd" -n -f "$tmp/ngircd.conf" > "$tmp/ngircd.log" 2>&1 &
  server=$!
  port=$irc_port
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    sleep 0.2
  done
  cat "$tmp/ngircd.log" >&2
  exit 1
}

stop() {
  kill "$server"
  wait "$server" || true
  server=
}

echo "== group cell, $users users, $senders senders at $rate msgs/s together, load from chat-group-load (C);" \
     "window ${window} s after ${warmup} s warm-up; $rounds interleaved rounds"
results=()
for r in $(seq "$rounds"); do
  for kind in chat irc; do
    "start_$kind"
    line=$("$out/chat-group-load" "$kind" "$port" "$users" "$senders" "$rate" "$warmup" "$window" bench-password "$server")
    stop
    echo "$line"
    results+=("$line")
  done
done

# p50, p99 and server CPU per delivery from each line; ratios chat / irc within each round.
echo "== chat server / ngircd, per round (below 1: the chat server is faster or cheaper)"
for ((i = 0; i < ${#results[@]}; i += 2)); do
  printf '%s\n%s\n' "${results[i]}" "${results[i + 1]}" | awk '
    { match($0, /p50 [0-9.]+/); p50[NR] = substr($0, RSTART + 4, RLENGTH - 4)
      match($0, /p99 [0-9.]+/); p99[NR] = substr($0, RSTART + 4, RLENGTH - 4)
      match($0, /server CPU [0-9.]+/); cpu[NR] = substr($0, RSTART + 11, RLENGTH - 11) }
    END { printf "round %d: delivery p50 %.2fx, p99 %.2fx, server CPU per delivery %.2fx\n",
                 '"$((i / 2 + 1))"', p50[1] / p50[2], p99[1] / p99[2], cpu[1] / cpu[2] }'
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), $("$ngircd" --version | head -1)"
