"""baton_network(): a BatonTopo network with nginx on the servers and, unless
told otherwise, Baton's controller and agents, that is always taken down
again.

    with baton_network('nat') as bn:
        r = bn.curl('c1', '/api/users')
        assert r.status == 200 and r.served_by == 'h3', r.describe()

Start-up, in order:
  1. state file claimed (leftovers of a killed run removed), run directory,
     secret and REST token files (0600), controller config JSON
  2. network built; checksum/segmentation offloads off on every host
     interface (the userspace datapath stalls TCP otherwise); in dsr mode the
     VIP on each server's loopback with arp_ignore=1, arp_announce=2
  3. nginx on every server, until its four sockets listen
  4. controller inside `ctl`, until 192.168.254.1:6653 listens
  5. switches; 192.168.254.254/24 on m1's own port in the root namespace, so
     ovs-vswitchd reaches the controller; wait until s1 is connected
  6. an agent on every server of a pool; wait until the REST API shows them
     all connected and their servers up

With controller=False, s1 is a standalone learning switch and steps 4 and 6
are skipped: the topology, nginx and the management network can be checked
without Baton.

On leaving, always: agents, controller and nginx are killed by pid, the
network is stopped, our bridges and interfaces are removed if anything is
left of them, and the run directory is deleted (kept with keep_logs=True or
BATON_KEEP_LOGS=1).  If the block raised, the tails of the controller, agent
and nginx logs are printed first.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from mininet.log import info
from mininet.net import Mininet
from mininet.node import RemoteController

from . import config as cfg
from .hostexec import GaveUp, listens, run_in, wait_for
from .network import BatonNetwork, Launchers
from .procs import ProcessSet, RunState, clean_leftovers, start_time
from .topo import (CONTROLLER_HOST, DATA_SWITCH, MGMT_CONTROLLER_IP,
                   MGMT_PREFIX_LEN, MGMT_ROOT_IP, MGMT_SWITCH, OPENFLOW_PORT,
                   VIP, BatonTopo, server_ip, server_name)
from .webserver import NginxSite, ensure_files

OFFLOADS_OFF = ['tx', 'off', 'rx', 'off', 'sg', 'off', 'tso', 'off',
                'gso', 'off']
BRIDGES = (DATA_SWITCH, MGMT_SWITCH)


@contextlib.contextmanager
def baton_network(mode='nat', clients=2, servers=3, config_overrides=None,
                  controller=True, launchers=None, proxy_protocol=True,
                  files_dir=None, keep_logs=None, start_agents=True):
    """A running BatonNetwork; see the module's doc.
       mode: 'nat' or 'dsr'
       config_overrides: merged into the controller's JSON config
       controller: False for s1 as a learning switch, without Baton
       launchers: Launchers.baton() (default) or Launchers.stubs()
       proxy_protocol: agents relay to nginx with PROXY protocol v2 (8081)
                       or without (8080)
       files_dir: where the /files/ content is (made if missing); default a
                  fresh directory in the run directory
       keep_logs: keep the run directory (default: $BATON_KEEP_LOGS)
       start_agents: False to start none (tests start them)"""
    assert mode in cfg.MODES, 'mode must be one of %s' % (cfg.MODES,)
    launchers = launchers or Launchers.baton()
    if keep_logs is None:
        keep_logs = os.environ.get('BATON_KEEP_LOGS', '') not in ('', '0')
    if controller:
        missing = launchers.missing()
        assert not missing, 'not built or not executable: %s' % missing

    topo = BatonTopo(clients=clients, servers=servers,
                     standalone=not controller)
    restore_sigterm = _exit_on_sigterm()
    links = _switch_side_links(topo)
    state = RunState()
    state.claim(bridges=BRIDGES, links=links)
    run_dir = tempfile.mkdtemp(prefix='baton-%s-' % mode)
    state.set_run_dir(run_dir)
    procs = ProcessSet(state)
    net = bn = None
    try:
        info('*** Run directory %s\n' % run_dir)
        config, config_file = _write_run_files(run_dir, mode, servers,
                                               config_overrides)
        files = ensure_files(files_dir or os.path.join(run_dir, 'files'))
        _tune_switch(state)
        net = _build(topo, controller, state)
        _prepare_hosts(net, mode, servers)
        sites = _start_nginx(net, procs, run_dir, servers, files)
        bn = BatonNetwork(net, mode, run_dir, config, config_file, files,
                          sites, launchers, proxy_protocol, procs, clients,
                          servers)
        if controller:
            _start_controller(bn)
        info('*** Starting switches\n')
        net.start()
        _configure_mgmt_port()
        if controller:
            _wait_switch_connected(bn)
            if start_agents:
                _start_agents(bn)
        info('*** Network ready\n')
        yield bn
    except BaseException:
        if bn is not None:
            sys.stderr.write('*** Logs of the failed run (%s)\n%s\n' % (
                run_dir, bn.log_tails()))
        raise
    finally:
        _tear_down(procs, net, state, links)
        if keep_logs:
            info('*** Logs kept in %s\n' % run_dir)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
        restore_sigterm()


def _exit_on_sigterm():
    """SIGTERM (a timeout, kill PID) would end Python without running any
       finally block; as SystemExit it runs them, so the network is taken
       down.  Returns the function that restores the previous handler."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return lambda: None

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, terminate)
    return lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL)


# --- start-up steps ----------------------------------------------------------

def write_private(path, value):
    "A file only its owner can read: the controller refuses anything else."
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(value + '\n')


def _write_run_files(run_dir, mode, servers, overrides):
    "Secret, token (and the curl header that carries it), config JSON."
    secret_file = os.path.join(run_dir, 'secret')
    token_file = os.path.join(run_dir, 'token')
    token = secrets.token_hex(16)
    write_private(secret_file, secrets.token_hex(32))
    write_private(token_file, token)
    write_private(os.path.join(run_dir, 'rest-auth-header'),
                  'Authorization: Bearer ' + token)
    config = cfg.merged(
        cfg.controller_config(mode, servers, secret_file, token_file),
        overrides)
    config_file = os.path.join(run_dir, 'controller.json')
    with open(config_file, 'w') as f:
        json.dump(config, f, indent=2)
    return config, config_file


# Open vSwitch keeps an idle datapath flow for max-idle ms (10,000 by
# default), and each flow table change (every flow-mod) makes its revalidator
# translate every datapath flow again.  Two exact flows per connection at
# 1,000 connections/s kept about 20,000 flows alive and the revalidator at
# 60 % of a core; at 500 ms (OVS's minimum) it is at about 30 %.
OVS_MAX_IDLE_MS = 500


def _tune_switch(state):
    state.set_ovs_other_config('max-idle', OVS_MAX_IDLE_MS)


def _build(topo, with_controller, state):
    net = Mininet(topo=topo, controller=None, build=False)
    if with_controller:
        net.addController('c0', controller=RemoteController,
                          ip=MGMT_CONTROLLER_IP, port=OPENFLOW_PORT)
    info('*** Building the network\n')
    try:
        net.build()
    finally:
        # Mininet's node shells, for the clean-up after a killed run.
        for node in net.hosts + net.switches + net.controllers:
            if getattr(node, 'shell', None):
                state.add_pid(node.pid, start_time(node.pid),
                              'mininet:' + node.name)
    return net


def _prepare_hosts(net, mode, servers):
    info('*** Turning checksum and segmentation offloads off\n')
    for host in net.hosts:
        for intf in host.intfNames():
            if intf != 'lo':
                run_in(host, ['ethtool', '-K', intf] + OFFLOADS_OFF)
    if mode == 'dsr':
        info('*** DSR: VIP %s on the servers\' loopback\n' % VIP)
        for s in range(1, servers + 1):
            host = net.get(server_name(s))
            # Only the switch (the controller's ARP answers) may claim the VIP.
            run_in(host, ['sysctl', '-q', '-w',
                          'net.ipv4.conf.all.arp_ignore=1',
                          'net.ipv4.conf.all.arp_announce=2'])
            run_in(host, ['ip', 'addr', 'add', VIP + '/32', 'dev', 'lo'])


def _start_nginx(net, procs, run_dir, servers, files):
    info('*** Starting nginx on the servers\n')
    sites = {}
    for s in range(1, servers + 1):
        name = server_name(s)
        site = NginxSite(name, server_ip(s),
                         os.path.join(run_dir, 'nginx-' + name),
                         files.directory)
        site.write()
        sites[name] = site
        procs.start('nginx-' + name, net.get(name), site.argv(),
                    site.stdout_log)
    for name, site in sites.items():
        wait_for(_nginx_listens(procs.procs['nginx-' + name], net.get(name),
                                site),
                 10, 'nginx on %s to listen' % name)
    return sites


def _nginx_listens(proc, host, site):
    def check():
        if not proc.running():
            raise GaveUp('nginx exited; see %s' % site.error_log)
        return all(listens(host, a) for a in site.listen_addresses())
    return check


def _start_controller(bn):
    info('*** Starting the controller in %s\n' % CONTROLLER_HOST)
    ctl = bn.host(CONTROLLER_HOST)
    bn.procs.start('controller', ctl,
                   list(bn.launchers.controller) + ['--config',
                                                    bn.config_file],
                   bn.controller_log)
    openflow = '%s:%d' % (MGMT_CONTROLLER_IP, OPENFLOW_PORT)

    def listening():
        bn.check_running('controller')
        return listens(ctl, openflow)
    wait_for(listening, 60, 'the controller to listen on %s' % openflow,
             detail=lambda: '\n' + bn.log_tails(20))


def restart_controller(bn, kill=False):
    """Stops the controller (SIGKILL with kill=True, else SIGTERM) and starts
       it again with the same config file; returns once the switch and the
       running agents are back."""
    proc = bn.procs.procs.get('controller')
    if kill and proc is not None and proc.running():
        os.kill(proc.pid, signal.SIGKILL)
    bn.procs.stop('controller')
    _start_controller(bn)
    _wait_switch_connected(bn)
    bn.wait_agents(timeout=60)


def _configure_mgmt_port():
    "The management bridge's own port: an address in the root namespace."
    wait_for(lambda: os.path.exists('/sys/class/net/' + MGMT_SWITCH), 10,
             'the %s port in the root namespace' % MGMT_SWITCH)
    subprocess.run(['ethtool', '-K', MGMT_SWITCH] + OFFLOADS_OFF, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(['ip', 'addr', 'replace', '%s/%d' % (MGMT_ROOT_IP,
                                                        MGMT_PREFIX_LEN),
                    'dev', MGMT_SWITCH], check=True)
    subprocess.run(['ip', 'link', 'set', MGMT_SWITCH, 'up'], check=True)


def _wait_switch_connected(bn):
    # OVS waits up to 8 s between attempts by default; a restarted controller
    # should see its switch within a second.
    subprocess.run(['ovs-vsctl', '--timeout=5', 'set', 'controller',
                    DATA_SWITCH, 'max_backoff=1000'], check=True)

    def connected():
        bn.check_running('controller')
        out = subprocess.run(['ovs-vsctl', '--timeout=5', 'get', 'controller',
                              DATA_SWITCH, 'is_connected'],
                             capture_output=True, text=True).stdout.strip()
        return out == 'true'
    wait_for(connected, 30, '%s to connect to the controller' % DATA_SWITCH,
             detail=lambda: '\n' + bn.log_tails(20))


def _start_agents(bn):
    # A server in no pool (as in the benchmark) needs no agent.
    for name in bn.server_names:
        if cfg.pool_of_server(bn.config, bn.address_of(name)):
            bn.start_agent(name, wait=False)
    bn.wait_agents(timeout=60)


# --- tear-down ---------------------------------------------------------------

def _tear_down(procs, net, state, links):
    info('*** Stopping processes\n')
    procs.stop_all()
    if net is not None:
        info('*** Stopping the network\n')
        try:
            net.stop()
        except Exception as e:      # noqa: BLE001 - clean-up goes on
            sys.stderr.write('net.stop() failed: %s\n' % e)
    # Whatever net.stop() could not remove (it stops at its first error).
    clean_leftovers({'pids': state.data['pids'], 'bridges': BRIDGES,
                     'links': links,
                     'ovs_other_config': state.data['ovs_other_config']})
    state.release()


def _switch_side_links(topo):
    """Names of the switch ends of every link (root namespace), as Mininet
       names them, and the bridges' own ports."""
    names = list(BRIDGES)
    for switch in topo.switches():
        count = sum(1 for a, b in topo.links() if switch in (a, b))
        names += ['%s-eth%d' % (switch, i) for i in range(1, count + 1)]
    return names
