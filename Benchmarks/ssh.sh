#!/usr/bin/env bash
# Benchmark of issue [9]: the local example applied over SSH (a real sshd on
# 127.0.0.1, started here with its own keys) against the same jobs on the local
# provider; and the round trips of a credential profile over SSH.
#
#   bash Benchmarks/ssh.sh            # builds the release binary first; ROUNDS=11 by default
#
# Each round applies both sides (`apply --wait`, so the sessions' run is included)
# and destroys them; the sides alternate round by round; medians of ROUNDS rounds.
# Round trips are counted with a wrapper `ssh` first in PATH that logs each call.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-11}
swift build -c release --product runjob >/dev/null
RUNJOB=$(swift build -c release --show-bin-path)/runjob
WORK=$(mktemp -d /tmp/runjob-ssh-bench.XXXXXX)
trap '[ -f "$WORK/sshd.pid" ] && kill "$(cat "$WORK/sshd.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

# sshd as the current user, on a free port, with its own host key and user key.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/userkey"
cp "$WORK/userkey.pub" "$WORK/authorized_keys"
mkdir -p "$WORK/home" /run/sshd
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/hostkey
AuthorizedKeysFile $WORK/authorized_keys
PidFile $WORK/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
SetEnv HOME=$WORK/home
MaxSessions 200
CONF
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1-2 "$WORK/hostkey.pub")" > "$WORK/known_hosts"
cat > "$WORK/ssh_config" <<CONF
Host runjob-box
  HostName 127.0.0.1
  Port $PORT
  User $(id -un)
  IdentityFile $WORK/userkey
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $WORK/known_hosts
  GlobalKnownHostsFile /dev/null
CONF
/usr/sbin/sshd -f "$WORK/sshd_config" -E "$WORK/sshd.log"
for _ in $(seq 100); do [ -f "$WORK/sshd.pid" ] && break; sleep 0.05; done

export HOME="$WORK/client" XDG_STATE_HOME="$WORK/client/state" RUNJOB_SSH_CONFIG="$WORK/ssh_config"
mkdir -p "$HOME"
timed() { # timed FILE CMD... : appends CMD's wall time in µs to FILE
    local file=$1; shift
    local start=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1
    local end=${EPOCHREALTIME/[.,]/}
    echo $(( end - start )) >> "$file"
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
# Two shapes: the default `--poll-interval` (1 s: a wait that polls a session just
# before it ends costs a whole second, whichever provider), and 50 ms, where the
# transport's own cost shows.
for _ in $(seq "$ROUNDS"); do
    for poll in 1 0.05; do
        timed "$WORK/local-$poll.us" "$RUNJOB" apply --wait --poll-interval "$poll" examples/manifests/local.yaml
        "$RUNJOB" destroy --yes examples/manifests/local.yaml >/dev/null 2>&1
        timed "$WORK/ssh-$poll.us" "$RUNJOB" apply --wait --poll-interval "$poll" examples/manifests/ssh.yaml
        "$RUNJOB" destroy --yes examples/manifests/ssh.yaml >/dev/null 2>&1
    done
done
LOCAL=$(median "$WORK/local-1.us")
SSH=$(median "$WORK/ssh-1.us")
LOCALFAST=$(median "$WORK/local-0.05.us")
SSHFAST=$(median "$WORK/ssh-0.05.us")

# Round trips: every ssh call logged by a wrapper; the same job with and without a profile.
mkdir -p "$WORK/bin"
cat > "$WORK/bin/ssh" <<WRAP
#!/bin/sh
echo call >> "$WORK/calls"
exec /usr/bin/ssh "\$@"
WRAP
chmod +x "$WORK/bin/ssh"
sed -e 's/^    credentials: \[demo\]$//' examples/manifests/ssh.yaml | awk '/^credentials:/{skip=1} /^sessions:/{skip=0} !skip' > "$WORK/no-profile.yaml"
calls() { # calls MANIFEST: ssh calls of one apply --wait
    : > "$WORK/calls"
    PATH="$WORK/bin:$PATH" "$RUNJOB" apply --wait "$1" >/dev/null 2>&1
    wc -l < "$WORK/calls"
    "$RUNJOB" destroy --yes "$1" >/dev/null 2>&1
}
WITH=$(calls examples/manifests/ssh.yaml)
WITHOUT=$(calls "$WORK/no-profile.yaml")

cat <<REPORT
## SSH provider (issue [9]): the local example over SSH (\`bash Benchmarks/ssh.sh\`, $ROUNDS rounds)

| side | median wall ms of \`apply --wait\` (default poll 1 s) | with \`--poll-interval 0.05\` |
|---|---:|---:|
| \`examples/manifests/local.yaml\` (local provider) | $LOCAL | $LOCALFAST |
| \`examples/manifests/ssh.yaml\` (ssh provider, sshd on 127.0.0.1) | $SSH | $SSHFAST |
| ratio ssh / local (floor ≤ 1.5×) | $(awk -v a="$SSH" -v b="$LOCAL" 'BEGIN {printf "%.2f×", a/b}') | $(awk -v a="$SSHFAST" -v b="$LOCALFAST" 'BEGIN {printf "%.2f×", a/b}') |

ssh client calls of one \`apply --wait\`: $WITH with the \`demo\` credential profile, $WITHOUT without it:
the profile (a folder, a file, its check and runjob's record of it) costs $((WITH - WITHOUT)) round trip(s) (floor: 1).
REPORT
