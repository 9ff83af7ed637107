#!/usr/bin/env bash
# shaped-link.sh — ssh to "another machine" on this one: an sshd in a
# network namespace behind a veth pair whose both directions are shaped to
# a rate (default 1gbit, tc's token bucket), so that bench-router measures
# the stream transport through ssh where a network, not loopback, sets the
# pace. For benchmarks by hand, as root; not used by the tests or CI.
#
#   usage: shaped-link.sh start [RATE] | stop
#
# `start` needs the test sshd's keys (bash tests/remote-engines.sh start
# ssh), starts a second sshd on 10.77.0.2 inside namespace jr-shaped, and
# prints the environment for bench-router:
#
#   eval "$(bash tests/bench/shaped-link.sh start 1gbit)"
#   BENCH_ONLY=streams BENCH_STREAM_WAYS=ssh build/tests/bench/bench-router
#
# Both ends still share this machine's CPUs, which two machines would not.
set -euo pipefail

ENGINES=${JR_ENGINES_DIR:-/tmp/jobrouter-engines}/ssh
DIR=${JR_SHAPED_DIR:-/tmp/jobrouter-shaped}
NS=jr-shaped
PORT=2299

stop() {
  if [[ -s $DIR/sshd.pid ]]; then kill "$(cat "$DIR/sshd.pid")" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  ip link del jr-shaped0 2>/dev/null || true
  rm -rf "$DIR"
}

start() {
  local rate=${1:-1gbit}

  [[ $(id -u) -eq 0 ]] || { echo "shaped-link: run as root" >&2; exit 1; }
  [[ -s $ENGINES/host_ed25519 ]] ||
    { echo "shaped-link: start the test sshd first: bash tests/remote-engines.sh start ssh" >&2; exit 1; }
  stop
  mkdir -p "$DIR"
  cp "$ENGINES"/{host_ed25519,client_ed25519,authorized_keys,known_hosts} "$DIR/"
  chmod 600 "$DIR"/*_ed25519
  chmod 755 "$DIR"

  ip netns add "$NS"
  ip link add jr-shaped0 type veth peer name jr-shaped1
  ip link set jr-shaped1 netns "$NS"
  ip addr add 10.77.0.1/24 dev jr-shaped0
  ip link set jr-shaped0 up
  ip netns exec "$NS" ip addr add 10.77.0.2/24 dev jr-shaped1
  ip netns exec "$NS" ip link set jr-shaped1 up
  ip netns exec "$NS" ip link set lo up
  tc qdisc add dev jr-shaped0 root tbf rate "$rate" burst 256kb latency 50ms
  ip netns exec "$NS" tc qdisc add dev jr-shaped1 root tbf rate "$rate" burst 256kb latency 50ms

  sed -e "s/^Port .*/Port $PORT/" -e 's/^ListenAddress .*/ListenAddress 10.77.0.2/' \
      -e "s|$ENGINES/|$DIR/|g" "$ENGINES/sshd_config" >"$DIR/sshd_config"
  # The fixture logs in as "jr-ssh"; the host key is the test sshd's.
  cat >"$DIR/ssh_config" <<EOF
Host jr-ssh
    User ${JR_ENGINES_SSH_USER:-jrtest}
    IdentityFile $DIR/client_ed25519
    HostName 10.77.0.2
    Port $PORT
    HostKeyAlias [127.0.0.1]:${JR_ENGINES_SSH_PORT:-2298}
    UserKnownHostsFile $DIR/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    IdentitiesOnly yes
    BatchMode yes
    EscapeChar none
    LogLevel ERROR
EOF
  chmod 644 "$DIR/ssh_config"
  ip netns exec "$NS" setsid /usr/sbin/sshd -D -f "$DIR/sshd_config" -E "$DIR/sshd.log" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$DIR/sshd.pid"
  for _ in $(seq 50); do
    if ssh -F "$DIR/ssh_config" -o ConnectTimeout=2 jr-ssh true </dev/null 2>/dev/null; then
      echo "export JR_TEST_SSH_CONFIG=$DIR/ssh_config JR_TEST_SSH_HOST=jr-ssh"
      return 0
    fi
    sleep 0.2
  done
  echo "shaped-link: the sshd in $NS does not answer (see $DIR/sshd.log)" >&2
  exit 1
}

case ${1:-} in
  start) start "${2:-}" ;;
  stop) stop ;;
  *) echo "usage: shaped-link.sh start [RATE] | stop" >&2; exit 2 ;;
esac
