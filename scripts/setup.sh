#!/usr/bin/env bash
# Prepares a Debian 12 machine (root, JDK 17 and Maven already present) for
# Baton's Mininet tests, demo and benchmark.  Idempotent and quiet when there
# is nothing to do: safe to run before every test run, also with CI=true and
# no standard input.
#
# This kind of machine has no Open vSwitch kernel module, so OVS runs with the
# userspace (netdev) datapath, and nothing starts its daemons for us: ovs-ctl
# insists on loading the module, so ovsdb-server and ovs-vswitchd are started
# here directly.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
    echo "setup.sh: must run as root (Mininet and Open vSwitch need it)" >&2
    exit 1
fi

# --- Debian packages ---------------------------------------------------------
packages=(openvswitch-switch mininet nginx-light ethtool curl iproute2
          iputils-ping psmisc procps haproxy wrk hping3 python3-pytest
          python3-matplotlib linux-perf tcpdump)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    # Package scripts must not start daemons: openvswitch-switch's would fail
    # without the kernel module, nginx's would take port 80 of the root
    # namespace.  policy-rc.d answering 101 forbids it (containers have one).
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
# The nginx package enables a system-wide nginx on port 80 of the root
# namespace; the tests run their own instances inside Mininet hosts only.
if [[ -d /run/systemd/system ]] && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
fi

# --- Open vSwitch, userspace datapath -----------------------------------------
rundir=/var/run/openvswitch
logdir=/var/log/openvswitch
db=/etc/openvswitch/conf.db
schema=/usr/share/openvswitch/vswitch.ovsschema
mkdir -p "$rundir" "$logdir" /etc/openvswitch

# A pid file whose process is alive means the daemon runs; anything else is stale.
running() {
    local pidfile=$rundir/$1.pid
    [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# -e follows symlinks: Debian ships conf.db as a link into /var/lib/openvswitch
# that dangles until the database is created.
if [[ ! -e $db ]]; then
    mkdir -p "$(dirname "$(readlink -f "$db")")"
    log "creating $db"
    ovsdb-tool create "$db" "$schema"
elif [[ $(ovsdb-tool needs-conversion "$db" "$schema") == yes ]]; then
    log "converting $db to the installed schema"
    ovsdb-tool convert "$db" "$schema"
fi

if ! running ovsdb-server; then
    log "starting ovsdb-server"
    ovsdb-server "$db" \
        --remote=punix:$rundir/db.sock \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile --detach -vconsole:off --log-file=$logdir/ovsdb-server.log
    ovs-vsctl --no-wait init >/dev/null
fi

if ! running ovs-vswitchd; then
    log "starting ovs-vswitchd (userspace datapath)"
    ovs-vswitchd unix:$rundir/db.sock \
        --pidfile --detach -vconsole:off --log-file=$logdir/ovs-vswitchd.log
fi

if ! ovs-vsctl --timeout=10 show >/dev/null; then
    echo "setup.sh: ovs-vsctl show failed; see $logdir/*.log" >&2
    exit 1
fi
log "Open vSwitch $(ovs-vsctl --version | head -1 | awk '{print $NF}') ready (userspace datapath)"
