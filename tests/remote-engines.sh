#!/usr/bin/env bash
# remote-engines.sh — the engines that remote workers are tested through:
# an OpenSSH server on 127.0.0.1 with throwaway keys, and a single-node
# Slurm cluster (munged, slurmctld, slurmd), all started on this machine
# without systemd, as root. Used by .ci/run, by the remote tests when run
# by hand (tests/remote-fixture.c) and by the benchmarks.
#
#   usage: remote-engines.sh start|stop|status|env [ssh|slurm|all]
#
#   start   starts what is not running yet (idempotent), then prints the
#           environment that the tests read (as `env` does)
#   stop    stops what this script started, by the pids it wrote
#   env     prints JR_TEST_SSH_CONFIG=…, JR_TEST_SSH_HOST=…, SLURM_CONF=…
#           for each engine that is up; nothing for one that is not
#
# Everything lives in one state folder, $JR_ENGINES_DIR (default
# /tmp/jobrouter-engines): keys, configurations, logs and pid files.
# Nothing global is changed but two things: a system user for the ssh
# logins ($JR_ENGINES_SSH_USER, default jrtest, with /bin/sh as its
# shell — root's ~/.bashrc can take a second per login) and the Debian
# packages, installed if missing. Slurm gets a configuration of its own
# (SLURM_CONF, so /etc/slurm is not touched), its own munged (own key and
# socket) and its own ports, so that another Slurm or munged on the
# machine is left alone.
#
# Exit status: 0 when every engine asked for is up (start, status) or
# down (stop); 1 when one could not be started, with the reason on stderr;
# 2 on bad usage. A starter that cannot start an engine (no root, no
# packages and no network) says why in its first line of stderr, which
# the tests repeat in their skip message.
set -uo pipefail

DIR=${JR_ENGINES_DIR:-/tmp/jobrouter-engines}
SSH_PORT=${JR_ENGINES_SSH_PORT:-2298}
SSH_USER=${JR_ENGINES_SSH_USER:-jrtest}
CTLD_PORT=${JR_ENGINES_SLURMCTLD_PORT:-6827}
SLURMD_PORT=${JR_ENGINES_SLURMD_PORT:-6828}
LOCK=$DIR/.lock

SSH_DIR=$DIR/ssh
SLURM_DIR=$DIR/slurm
SLURM_CONF_FILE=$SLURM_DIR/slurm.conf
MUNGE_SOCKET=$SLURM_DIR/munge/munge.socket

die() { echo "remote-engines: $*" >&2; exit 1; }

# pid in file $1 runs and is no zombie (PID 1 may reap orphans late here)
alive() {
  local st
  [[ -s $1 ]] && st=$(ps -o stat= -p "$(cat "$1")" 2>/dev/null) && [[ $st != Z* ]]
}

stop_pidfile() {  # stop_pidfile FILE NAME
  if alive "$1"; then
    kill "$(cat "$1")" 2>/dev/null
    for _ in $(seq 100); do alive "$1" || break; sleep 0.1; done
    if alive "$1"; then kill -9 "$(cat "$1")" 2>/dev/null; fi
    echo "$2 stopped"
  fi
  rm -f "$1"
}

need_root() {
  [[ $(id -u) == 0 ]] || die "needs root to start $1 (run the tests as root, or start it with: sudo $0 start $1)"
}

install_missing() {  # install_missing BINARY... -- PACKAGE...
  local bins=() pkgs=() missing=0 seen_sep=0
  for a in "$@"; do
    if [[ $a == -- ]]; then seen_sep=1; continue; fi
    if (( seen_sep )); then pkgs+=("$a"); else bins+=("$a"); fi
  done
  for b in "${bins[@]}"; do [[ -x $b ]] || missing=1; done
  (( missing )) || return 0
  command -v apt-get >/dev/null || die "${pkgs[*]} not installed and no apt-get to install them"
  export DEBIAN_FRONTEND=noninteractive
  # keep apt from starting the packaged daemons
  local tmp_policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && tmp_policy=1
  fi
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; } >"$DIR/apt.log" 2>&1
  local rc=$?
  [[ -n $tmp_policy ]] && rm -f /usr/sbin/policy-rc.d
  (( rc == 0 )) || die "could not install ${pkgs[*]} (see $DIR/apt.log)"
}

# ---------------------------------------------------------------- ssh

ssh_env() {
  echo "JR_TEST_SSH_CONFIG=$SSH_DIR/ssh_config"
  echo "JR_TEST_SSH_HOST=jr-ssh"
}

ssh_works() {
  ssh -F "$SSH_DIR/ssh_config" -o ConnectTimeout=2 jr-ssh true </dev/null 2>/dev/null
}

ssh_start() {
  if alive "$SSH_DIR/sshd.pid" && ssh_works; then return 0; fi
  need_root sshd
  install_missing /usr/sbin/sshd /usr/bin/ssh -- openssh-server openssh-client
  mkdir -p "$SSH_DIR" /run/sshd
  chmod 755 "$DIR" "$SSH_DIR" /run/sshd
  if [[ $SSH_USER != root ]]; then
    if ! id "$SSH_USER" >/dev/null 2>&1; then
      useradd --system --create-home --home-dir "/var/lib/$SSH_USER" --shell /bin/sh "$SSH_USER" ||
        die "could not create the user $SSH_USER"
    fi
    # a locked ('!') password makes sshd (UsePAM no) refuse even keys
    usermod -p '*' "$SSH_USER"
  fi
  [[ -f $SSH_DIR/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C jr-engines-host -f "$SSH_DIR/host_ed25519"
  [[ -f $SSH_DIR/client_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C jr-engines-client -f "$SSH_DIR/client_ed25519"
  # a key that the server does not know: for "authentication refused"
  [[ -f $SSH_DIR/stranger_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C jr-engines-stranger -f "$SSH_DIR/stranger_ed25519"
  cp "$SSH_DIR/client_ed25519.pub" "$SSH_DIR/authorized_keys"
  chmod 644 "$SSH_DIR/authorized_keys"
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >"$SSH_DIR/known_hosts"

  cat >"$SSH_DIR/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_ed25519
PidFile none
AuthorizedKeysFile $SSH_DIR/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
AllowUsers $SSH_USER root
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
MaxStartups 100:30:200
MaxSessions 100
LogLevel INFO
# The sanitizers' settings reach workers started through ssh (the suites
# run under ASan too); nothing else of the client's environment does.
AcceptEnv ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
EOF
  # Three hosts: the test user, root (for a build folder that the test
  # user cannot read), and one whose key the server refuses. BatchMode:
  # never a prompt; EscapeChar none: the stream is binary.
  local common="    HostName 127.0.0.1
    Port $SSH_PORT
    UserKnownHostsFile $SSH_DIR/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    IdentitiesOnly yes
    BatchMode yes
    EscapeChar none
    SendEnv ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
    LogLevel ERROR"
  cat >"$SSH_DIR/ssh_config" <<EOF
Host jr-ssh
    User $SSH_USER
    IdentityFile $SSH_DIR/client_ed25519
$common
Host jr-ssh-root
    User root
    IdentityFile $SSH_DIR/client_ed25519
$common
Host jr-ssh-refused
    User $SSH_USER
    IdentityFile $SSH_DIR/stranger_ed25519
$common
EOF
  chmod 644 "$SSH_DIR/ssh_config"
  chmod 644 "$SSH_DIR/client_ed25519" "$SSH_DIR/stranger_ed25519" 2>/dev/null
  # ssh refuses a private key others can read: keep them 0600
  chmod 600 "$SSH_DIR/client_ed25519" "$SSH_DIR/stranger_ed25519"

  stop_pidfile "$SSH_DIR/sshd.pid" sshd >/dev/null
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "sshd rejects its configuration"
  setsid /usr/sbin/sshd -D -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log" </dev/null >/dev/null 2>&1 9>&- &
  echo $! >"$SSH_DIR/sshd.pid"
  for i in $(seq 100); do
    ssh_works && return 0
    alive "$SSH_DIR/sshd.pid" || { tail -5 "$SSH_DIR/sshd.log" >&2; die "sshd died"; }
    sleep 0.1
  done
  tail -5 "$SSH_DIR/sshd.log" >&2
  die "sshd not answering after 10 s"
}

ssh_stop() {
  stop_pidfile "$SSH_DIR/sshd.pid" sshd
}

ssh_status() {
  alive "$SSH_DIR/sshd.pid" && ssh_works
}

# ---------------------------------------------------------------- slurm

slurm_env() {
  echo "SLURM_CONF=$SLURM_CONF_FILE"
}

slurm_works() {
  SLURM_CONF=$SLURM_CONF_FILE scontrol ping 2>/dev/null | grep -q 'is UP'
}

slurm_node_ready() {
  local st
  st=$(SLURM_CONF=$SLURM_CONF_FILE sinfo -h -n "$(hostname -s)" -o %T 2>/dev/null)
  case $st in idle*|mixed*|alloc*) return 0 ;; esac
  return 1
}

slurm_start() {
  if alive "$SLURM_DIR/munged.pid" && alive "$SLURM_DIR/slurmctld.pid" &&
     alive "$SLURM_DIR/slurmd.pid" && slurm_works && slurm_node_ready; then
    return 0
  fi
  need_root slurm
  install_missing /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/srun /usr/sbin/munged -- slurm-wlm munge
  export SLURM_CONF=$SLURM_CONF_FILE
  mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/munge"
  chmod 755 "$DIR" "$SLURM_DIR"

  # munged of our own: own key, socket, pid and log, run as user munge,
  # which must own its folder (it refuses one others can write to)
  local mdir=$SLURM_DIR/munge
  chown munge:munge "$mdir"; chmod 700 "$mdir"
  if [[ ! -s $mdir/munge.key ]]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$mdir/munge.key" >/dev/null 2>&1
    else
      dd if=/dev/urandom of="$mdir/munge.key" bs=1 count=1024 2>/dev/null
    fi
  fi
  chown munge:munge "$mdir/munge.key"; chmod 400 "$mdir/munge.key"
  # the socket must be reachable by slurm's daemons (root) and by srun
  if ! alive "$SLURM_DIR/munged.pid"; then
    chmod 711 "$mdir"
    setsid setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
      --socket="$MUNGE_SOCKET" --key-file="$mdir/munge.key" --pid-file="$mdir/munged.daemon.pid" \
      --log-file="$mdir/munged.log" --seed-file="$mdir/munged.seed" \
      </dev/null >>"$SLURM_DIR/munged.out" 2>&1 9>&- &
    echo $! >"$SLURM_DIR/munged.pid"
    for i in $(seq 50); do
      munge -S "$MUNGE_SOCKET" -n </dev/null 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1 && break
      alive "$SLURM_DIR/munged.pid" || { tail -5 "$SLURM_DIR/munged.out" "$mdir/munged.log" >&2; die "munged died"; }
      [[ $i == 50 ]] && die "munged not answering; see $mdir/munged.log"
      sleep 0.1
    done
  fi

  local node cpus mem hw
  node=$(hostname -s)
  hw=$(slurmd -C | head -1)
  cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
  cat >"$SLURM_CONF_FILE.new" <<EOF
# written by $0
ClusterName=jrtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.daemon.pid
SlurmdPidFile=$SLURM_DIR/slurmd.daemon.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
InactiveLimit=20
KillWait=2
MinJobAge=10
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  if ! cmp -s "$SLURM_CONF_FILE.new" "$SLURM_CONF_FILE"; then
    stop_pidfile "$SLURM_DIR/slurmd.pid" slurmd >/dev/null
    stop_pidfile "$SLURM_DIR/slurmctld.pid" slurmctld >/dev/null
    mv "$SLURM_CONF_FILE.new" "$SLURM_CONF_FILE"
  else
    rm -f "$SLURM_CONF_FILE.new"
  fi
  chmod 644 "$SLURM_CONF_FILE"

  if ! alive "$SLURM_DIR/slurmctld.pid"; then
    # -c: forget jobs of an earlier run
    setsid /usr/sbin/slurmctld -D -c -f "$SLURM_CONF_FILE" </dev/null >>"$SLURM_DIR/slurmctld.out" 2>&1 9>&- &
    echo $! >"$SLURM_DIR/slurmctld.pid"
  fi
  for i in $(seq 100); do
    slurm_works && break
    alive "$SLURM_DIR/slurmctld.pid" || { tail -10 "$SLURM_DIR/slurmctld.log" "$SLURM_DIR/slurmctld.out" >&2; die "slurmctld died"; }
    [[ $i == 100 ]] && { tail -10 "$SLURM_DIR/slurmctld.log" >&2; die "slurmctld not answering after 20 s"; }
    sleep 0.2
  done
  if ! alive "$SLURM_DIR/slurmd.pid"; then
    setsid /usr/sbin/slurmd -D -N "$node" -f "$SLURM_CONF_FILE" </dev/null >>"$SLURM_DIR/slurmd.out" 2>&1 9>&- &
    echo $! >"$SLURM_DIR/slurmd.pid"
  fi
  for i in $(seq 150); do
    slurm_node_ready && break
    local st
    st=$(sinfo -h -n "$node" -o %T 2>/dev/null)
    case $st in down*|drain*) scontrol update NodeName="$node" State=RESUME 2>/dev/null ;; esac
    alive "$SLURM_DIR/slurmd.pid" || { tail -10 "$SLURM_DIR/slurmd.log" "$SLURM_DIR/slurmd.out" >&2; die "slurmd died"; }
    [[ $i == 150 ]] && { tail -10 "$SLURM_DIR/slurmd.log" "$SLURM_DIR/slurmctld.log" >&2; die "node $node not idle after 30 s (state: $st)"; }
    sleep 0.2
  done
  timeout 60 srun -N1 -n1 --quiet true </dev/null || die "a first srun failed"
}

slurm_stop() {
  if alive "$SLURM_DIR/slurmctld.pid"; then
    # what is still running, so that slurmd leaves no slurmstepd behind
    SLURM_CONF=$SLURM_CONF_FILE scancel --full --quiet --user=root 2>/dev/null
    sleep 1
  fi
  stop_pidfile "$SLURM_DIR/slurmd.pid" slurmd
  stop_pidfile "$SLURM_DIR/slurmctld.pid" slurmctld
  stop_pidfile "$SLURM_DIR/munged.pid" munged
}

slurm_status() {
  alive "$SLURM_DIR/munged.pid" && alive "$SLURM_DIR/slurmctld.pid" && alive "$SLURM_DIR/slurmd.pid" &&
    slurm_works && slurm_node_ready
}

# ---------------------------------------------------------------- main

action=${1:-}
which=${2:-all}
case $which in ssh) engines=(ssh) ;; slurm) engines=(slurm) ;; all) engines=(ssh slurm) ;;
  *) echo "usage: $0 start|stop|status|env [ssh|slurm|all]" >&2; exit 2 ;; esac

mkdir -p "$DIR" 2>/dev/null || die "cannot create $DIR"
# One caller at a time: test programs may start engines concurrently. The
# daemons started below must not inherit the lock (9>&-), or they would
# hold it for as long as they run.
exec 9>"$LOCK" && flock 9

case $action in
  start)
    for e in "${engines[@]}"; do ( "${e}_start" ) || exit 1; done
    for e in "${engines[@]}"; do "${e}_env"; done ;;
  stop)
    for e in "${engines[@]}"; do "${e}_stop"; done ;;
  status)
    rc=0
    for e in "${engines[@]}"; do
      if "${e}_status"; then echo "$e: up"; else echo "$e: down"; rc=1; fi
    done
    exit $rc ;;
  env)
    for e in "${engines[@]}"; do if "${e}_status"; then "${e}_env"; fi; done ;;
  *) echo "usage: $0 start|stop|status|env [ssh|slurm|all]" >&2; exit 2 ;;
esac
