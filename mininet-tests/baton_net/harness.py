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
  6. an agent on every server; wait until the REST API shows all connected

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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from mininet.log import info
from mininet.net import Mininet
from mininet.node import RemoteController

from . import config as cfg
from .httpcheck import Curl
from .procs import ProcessSet, RunState, clean_leftovers, start_time
from .topo import (CONTROLLER_HOST, DATA_SWITCH, MGMT_CONTROLLER_IP,
                   MGMT_PREFIX_LEN, MGMT_ROOT_IP, MGMT_SWITCH, OPENFLOW_PORT,
                   VIP, BatonTopo, server_ip, server_name)
from .webserver import (PROXY_PROTOCOL_UPSTREAM_PORT, PLAIN_UPSTREAM_PORT,
                        NginxSite, ensure_files)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOOLS = os.path.join(HERE, 'tools')
PYTHON = '/usr/bin/python3'
OFFLOADS_OFF = ['tx', 'off', 'rx', 'off', 'sg', 'off', 'tso', 'off',
                'gso', 'off']


@dataclass(frozen=True)
class Launchers:
    """argv prefixes that start the controller and an agent.  Baton's own
       are bin/baton-controller and bin/baton-agent at the repository root
       (BATON_BIN_DIR overrides the directory); the stubs stand in for them
       when checking the harness alone."""
    controller: tuple
    agent: tuple

    @classmethod
    def baton(cls):
        bin_dir = os.environ.get('BATON_BIN_DIR', os.path.join(REPO, 'bin'))
        return cls((os.path.join(bin_dir, 'baton-controller'),),
                   (os.path.join(bin_dir, 'baton-agent'),))

    @classmethod
    def stubs(cls):
        stubs = os.path.join(HERE, 'stubs')
        return cls((PYTHON, os.path.join(stubs, 'stub_controller.py')),
                   (PYTHON, os.path.join(stubs, 'stub_agent.py')))

    def missing(self):
        "Executables of ours that are not there (or not executable)."
        return [argv[0] for argv in (self.controller, self.agent)
                if not os.access(argv[0], os.X_OK)]


class RestError(AssertionError):
    def __init__(self, path, status, body):
        super().__init__('REST %s answered %s: %s' % (path, status, body[:300]))
        self.status = status


class GaveUp(AssertionError):
    "Raised inside a wait_for predicate: waiting longer cannot help."


def wait_for(predicate, timeout, what, interval=0.2, detail=lambda: ''):
    """Polls predicate() until it returns something truthy; returns that.
       Exceptions inside predicate count as 'not yet', except GaveUp."""
    deadline = time.time() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except GaveUp as e:
            raise AssertionError('gave up waiting for %s: %s%s' % (
                what, e, detail())) from None
        except Exception as e:     # noqa: BLE001 - retried until deadline
            last_error = e
        if time.time() >= deadline:
            raise AssertionError('timed out after %.0f s waiting for %s%s%s' % (
                timeout, what,
                ' (last error: %s)' % last_error if last_error else '',
                detail()))
        time.sleep(interval)


def run_in(host, argv, timeout=30, check=True):
    "Runs argv in a host; returns (exit code, stdout, stderr)."
    proc = host.popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                      stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError('%s: %s took longer than %s s' % (
            host.name, ' '.join(argv), timeout))
    out, err = out.decode(errors='replace'), err.decode(errors='replace')
    if check and proc.returncode != 0:
        raise AssertionError('%s: %s exited with %d: %s' % (
            host.name, ' '.join(argv), proc.returncode, err.strip()[-500:]))
    return proc.returncode, out, err


def listening(host):
    """The 'address:port' strings of TCP sockets listening in a host.
       Java's IPv6 sockets show IPv4 addresses as [::ffff:a.b.c.d]; those
       are given as a.b.c.d.  A wildcard socket is '*:port'."""
    _, out, _ = run_in(host, ['ss', '-ltnH'])
    found = set()
    for line in out.splitlines():
        if not line.strip():
            continue
        address, _, port = line.split()[3].rpartition(':')
        address = address.strip('[]')
        if address.startswith('::ffff:'):
            address = address[len('::ffff:'):]
        if address in ('*', '0.0.0.0', '::'):
            address = '*'
        found.add('%s:%s' % (address, port))
    return found


def listens(host, address_port):
    "Is address:port (or a wildcard on its port) listening in host?"
    sockets = listening(host)
    return (address_port in sockets or
            '*:' + address_port.rpartition(':')[2] in sockets)


def write_secret(path, value):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(value + '\n')


class BatonNetwork:
    """A running network; what tests use.  Hosts are named as in BatonTopo:
       c1.. clients, h1.. servers, ctl the controller host."""

    def __init__(self, net, mode, run_dir, config, config_file, files,
                 sites, launchers, with_controller, proxy_protocol, procs,
                 servers):
        self.net = net
        self.mode = mode
        self.run_dir = run_dir
        self.config = config
        self.config_file = config_file
        self.files = files                  # name -> ServedFile
        self.sites = sites                  # server name -> NginxSite
        self.launchers = launchers
        self.with_controller = with_controller
        self.proxy_protocol = proxy_protocol
        self.procs = procs
        self.server_names = [server_name(i) for i in range(1, servers + 1)]
        self.client_names = sorted(h.name for h in net.hosts
                                   if h.name.startswith('c'))
        self.http = Curl(os.path.join(run_dir, 'http'))
        self.secret_file = os.path.join(run_dir, 'secret')
        self.token_file = os.path.join(run_dir, 'token')
        self.auth_header_file = os.path.join(run_dir, 'rest-auth-header')

    # --- hosts and logs ---------------------------------------------------

    def host(self, name):
        return self.net.get(name)

    @property
    def controller_log(self):
        return os.path.join(self.run_dir, 'controller.log')

    def agent_log(self, server):
        return os.path.join(self.run_dir, 'agent-%s.log' % server)

    def access_log(self, server):
        "The server's nginx access log, as a list of dicts."
        with open(self.sites[server].access_log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def log_tails(self, lines=30):
        paths = [self.controller_log]
        paths += [self.agent_log(s) for s in self.server_names]
        paths += [self.sites[s].error_log for s in self.server_names]
        parts = []
        for path in paths:
            if os.path.exists(path) and os.path.getsize(path):
                with open(path, errors='replace') as f:
                    tail = f.readlines()[-lines:]
                parts.append('----- %s (last %d lines)\n%s' % (
                    os.path.basename(path), len(tail), ''.join(tail)))
        return '\n'.join(parts)

    # --- HTTP from clients ------------------------------------------------

    def url(self, path_or_url):
        "A path means the VIP; a full URL is taken as it is."
        if path_or_url.startswith('http'):
            return path_or_url
        return 'http://%s%s' % (VIP, path_or_url)

    def curl(self, client, path_or_url, **kwargs):
        "One request from a client host; an HttpResult."
        return self.http.get(self.host(client), self.url(path_or_url), **kwargs)

    def curl_many(self, client, paths_or_urls, **kwargs):
        """Several requests in one curl (one kept-alive connection, or
           parallel=N connections); a list of HttpResult."""
        return self.http.get_many(self.host(client),
                                  [self.url(p) for p in paths_or_urls],
                                  **kwargs)

    def raw_request(self, client, path, host=VIP, port=80, timeout=30,
                    **options):
        """tools/raw_http.py in a client: a request written in pieces.
           options: piece, delay, body_bytes, body_piece, proxy_v2.
           Returns its JSON answer as a dict."""
        argv = [PYTHON, os.path.join(TOOLS, 'raw_http.py'), host, str(port),
                path, '--timeout', str(timeout)]
        for key, value in options.items():
            argv += ['--' + key.replace('_', '-'), str(value)]
        _, out, _ = run_in(self.host(client), argv, timeout=timeout + 30)
        return json.loads(out)

    # --- REST API of the controller ----------------------------------------

    def rest_get(self, path, timeout=5):
        """GET http://192.168.254.1:8181/api/v1/<path> from inside ctl with
           the bearer token; the parsed JSON."""
        url = 'http://%s:%d/api/v1/%s' % (
            MGMT_CONTROLLER_IP, self.config['rest']['port'], path.lstrip('/'))
        _, out, err = run_in(
            self.host(CONTROLLER_HOST),
            ['curl', '-sS', '--max-time', str(timeout),
             '-H', '@' + self.auth_header_file, '-w', '\n%{http_code}', url],
            timeout=timeout + 5, check=False)
        body, _, status = out.rpartition('\n')
        if status != '200':
            raise RestError(path, status or err.strip(), body)
        return json.loads(body)

    def servers_by_address(self):
        return {s['address']: s for s in self.rest_get('servers')}

    # --- what the configuration says ----------------------------------------

    def address_of(self, server):
        return server_ip(self.server_names.index(server) + 1)

    def pool_members(self, pool):
        "Names of the servers in a pool of the (first) service."
        for p in self.config['services'][0]['pools']:
            if p['name'] == pool:
                return sorted(s for s in self.server_names
                              if self.address_of(s) in p['servers'])
        raise KeyError(pool)

    def expected_servers(self, path):
        "Names of the servers that may answer a path, by the rules."
        return self.pool_members(cfg.pool_for_path(self.config, path))

    # --- agents -----------------------------------------------------------

    def agent_argv(self, server):
        pool = cfg.pool_of_server(self.config, self.address_of(server))
        handoff = self.config['handoff']
        port = (PROXY_PROTOCOL_UPSTREAM_PORT if self.proxy_protocol
                else PLAIN_UPSTREAM_PORT)
        argv = list(self.launchers.agent) + [
            '--controller', '%s:%d' % (handoff['address'], handoff['port']),
            '--upstream', '127.0.0.1:%d' % port,
            '--secret-file', self.secret_file,
            '--interface', '%s-eth0' % server,
            '--label', pool]
        if self.proxy_protocol:
            argv.append('--proxy-protocol')
        if self.mode == 'dsr':
            argv += ['--vip', VIP]
        return argv

    def check_running(self, name):
        "GaveUp if a process we started has exited."
        proc = self.procs.procs.get(name)
        if proc is not None and not proc.running():
            raise GaveUp('%s exited with code %s (log: %s)' % (
                name, proc.popen.returncode, proc.log))

    def start_agent(self, server, wait=True, timeout=60):
        info('*** Starting agent on %s\n' % server)
        self.procs.start('agent-' + server, self.host(server),
                         self.agent_argv(server), self.agent_log(server))
        if wait:
            self.wait_agents(timeout=timeout)

    def stop_agent(self, server):
        "Kills a server's agent (SIGTERM, then SIGKILL)."
        info('*** Stopping agent on %s\n' % server)
        self.procs.stop('agent-' + server)

    def agent_running(self, server):
        proc = self.procs.procs.get('agent-' + server)
        return bool(proc and proc.running())

    def wait_agents(self, timeout=60):
        "Until the REST API shows an agent connected for every running one."
        expected = {self.address_of(s) for s in self.server_names
                    if self.agent_running(s)}

        def connected():
            for s in self.server_names:
                if 'agent-' + s in self.procs.procs:
                    self.check_running('agent-' + s)
            servers = self.servers_by_address()
            return all(servers.get(a, {}).get('agentConnected')
                       for a in expected)
        wait_for(connected, timeout, 'agents of %s to connect' % sorted(expected),
                 detail=lambda: '\n' + self.log_tails(10))


@contextlib.contextmanager
def baton_network(mode='nat', clients=2, servers=3, config_overrides=None,
                  controller=True, launchers=None, proxy_protocol=True,
                  files_dir=None, keep_logs=None, start_agents=True):
    """A running BatonNetwork; see the module's doc.
       mode: 'nat' or 'dsr'
       config_overrides: merged into the controller's JSON config
       controller: False for s1 as a learning switch, without Baton
       launchers: Launchers.baton() (default) or Launchers.stubs()
       files_dir: where the /files/ content is (made if missing); default a
                  fresh directory in the run directory
       keep_logs: keep the run directory (default: $BATON_KEEP_LOGS)"""
    assert mode in cfg.MODES, 'mode must be one of %s' % (cfg.MODES,)
    launchers = launchers or Launchers.baton()
    if keep_logs is None:
        keep_logs = os.environ.get('BATON_KEEP_LOGS', '') not in ('', '0')
    if controller:
        missing = launchers.missing()
        assert not missing, 'not built or not executable: %s' % missing

    topo = BatonTopo(clients=clients, servers=servers,
                     standalone=not controller)
    state = RunState()
    run_dir = tempfile.mkdtemp(prefix='baton-%s-' % mode)
    state.claim(bridges=[DATA_SWITCH, MGMT_SWITCH],
                links=_switch_side_links(topo), run_dir=run_dir)
    procs = ProcessSet(state)
    net = None
    bn = None
    try:
        info('*** Run directory %s\n' % run_dir)
        secret_file = os.path.join(run_dir, 'secret')
        token_file = os.path.join(run_dir, 'token')
        token = secrets.token_hex(16)
        write_secret(secret_file, secrets.token_hex(32))
        write_secret(token_file, token)
        write_secret(os.path.join(run_dir, 'rest-auth-header'),
                     'Authorization: Bearer ' + token)
        config = cfg.merged(
            cfg.controller_config(mode, servers, secret_file, token_file),
            config_overrides)
        config_file = os.path.join(run_dir, 'controller.json')
        with open(config_file, 'w') as f:
            json.dump(config, f, indent=2)

        files = ensure_files(files_dir or os.path.join(run_dir, 'files'))
        net = Mininet(topo=topo, controller=None, build=False)
        if controller:
            net.addController('c0', controller=RemoteController,
                              ip=MGMT_CONTROLLER_IP, port=OPENFLOW_PORT)
        info('*** Building the network (%s mode)\n' % mode)
        net.build()
        # Mininet's node shells, for the clean-up after a killed run.
        for node in net.hosts + net.switches + net.controllers:
            state.add_pid(node.pid, start_time(node.pid), 'mininet:' + node.name)

        info('*** Turning checksum and segmentation offloads off\n')
        for host in net.hosts:
            for intf in host.intfNames():
                if intf != 'lo':
                    run_in(host, ['ethtool', '-K', intf] + OFFLOADS_OFF)

        if mode == 'dsr':
            info('*** DSR: VIP %s on the servers\' loopback\n' % VIP)
            for s in range(1, servers + 1):
                host = net.get(server_name(s))
                run_in(host, ['sysctl', '-q', '-w',
                              'net.ipv4.conf.all.arp_ignore=1',
                              'net.ipv4.conf.all.arp_announce=2'])
                run_in(host, ['ip', 'addr', 'add', VIP + '/32', 'dev', 'lo'])

        sites = {}
        info('*** Starting nginx on the servers\n')
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
            host = net.get(name)
            def nginx_listens():
                if not procs.procs['nginx-' + name].running():
                    raise GaveUp('nginx exited; see %s' % site.error_log)
                return all(listens(host, a) for a in site.listen_addresses())
            wait_for(nginx_listens, 10, 'nginx on %s to listen' % name)

        bn = BatonNetwork(net, mode, run_dir, config, config_file, files,
                          sites, launchers, controller, proxy_protocol, procs,
                          servers)
        ctl = net.get(CONTROLLER_HOST)
        if controller:
            info('*** Starting the controller in %s\n' % CONTROLLER_HOST)
            procs.start('controller', ctl,
                        list(launchers.controller) + ['--config', config_file],
                        bn.controller_log)
            of = '%s:%d' % (MGMT_CONTROLLER_IP, OPENFLOW_PORT)
            def controller_listens():
                bn.check_running('controller')
                return listens(ctl, of)
            wait_for(controller_listens,
                     60, 'the controller to listen on %s' % of,
                     detail=lambda: '\n' + bn.log_tails(20))

        info('*** Starting switches\n')
        net.start()
        _configure_mgmt_port()
        if controller:
            def s1_connected():
                bn.check_running('controller')
                return _s1_connected()
            wait_for(s1_connected, 30, '%s to connect to the controller'
                     % DATA_SWITCH, detail=lambda: '\n' + bn.log_tails(20))
            if start_agents:
                for name in sites:
                    bn.start_agent(name, wait=False)
                bn.wait_agents(timeout=60)
        info('*** Network ready\n')
        yield bn
    except BaseException:
        if bn is not None:
            sys.stderr.write('*** Logs of the failed run (%s)\n%s\n' % (
                run_dir, bn.log_tails()))
        raise
    finally:
        info('*** Stopping processes\n')
        procs.stop_all()
        if net is not None:
            info('*** Stopping the network\n')
            try:
                net.stop()
            except Exception as e:      # noqa: BLE001 - cleanup continues
                sys.stderr.write('net.stop() failed: %s\n' % e)
        clean_leftovers({'pids': state.data['pids'],
                         'bridges': [DATA_SWITCH, MGMT_SWITCH],
                         'links': _switch_side_links(topo)})
        state.release()
        if keep_logs:
            info('*** Logs kept in %s\n' % run_dir)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def _switch_side_links(topo):
    """Names of the switch ends of every link (root namespace), as Mininet
       names them, and the bridges' own ports."""
    names = [DATA_SWITCH, MGMT_SWITCH]
    for switch in topo.switches():
        count = sum(1 for a, b in topo.links() if switch in (a, b))
        names += ['%s-eth%d' % (switch, i) for i in range(1, count + 1)]
    return names


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


def _s1_connected():
    out = subprocess.run(['ovs-vsctl', '--timeout=5', 'get', 'controller',
                          DATA_SWITCH, 'is_connected'],
                         capture_output=True, text=True).stdout.strip()
    return out == 'true'
