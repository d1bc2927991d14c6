"""BatonNetwork: a running network as tests, the demo and the benchmark use
it (requests from clients, the controller's REST API, agents, logs).
baton_net.harness.baton_network() makes one."""

import json
import os
import re
import signal
import subprocess
from dataclasses import dataclass

from mininet.log import info

from . import config as cfg
from .hostexec import GaveUp, listens, run_in, wait_for
from .httpcheck import Curl
from .topo import (CONTROLLER_HOST, MGMT_CONTROLLER_IP, VIP, client_name,
                   server_ip, server_name)
from .webserver import PLAIN_UPSTREAM_PORT, PROXY_PROTOCOL_UPSTREAM_PORT

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOOLS = os.path.join(HERE, 'tools')
PYTHON = '/usr/bin/python3'


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


class BatonNetwork:
    """A running network; what tests use.  Hosts are named as in BatonTopo:
       c1.. clients, h1.. servers, ctl the controller host."""

    def __init__(self, net, mode, run_dir, config, config_file, files,
                 sites, launchers, proxy_protocol, procs, clients, servers):
        self.net = net
        self.mode = mode
        self.run_dir = run_dir
        self.config = config
        self.config_file = config_file
        self.files = files                  # a FileSet: name -> ServedFile
        self.sites = sites                  # server name -> NginxSite
        self.launchers = launchers
        self.proxy_protocol = proxy_protocol
        self.procs = procs
        self.server_names = [server_name(i) for i in range(1, servers + 1)]
        self.client_names = [client_name(i) for i in range(1, clients + 1)]
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

    def controller_memory(self):
        """The controller JVM's memory now: {'liveHeap': bytes of live objects
           on its heap (jcmd GC.class_histogram, which collects first),
           'rss': its resident set (VmRSS), 'pid': its process id}."""
        pid = self.procs.procs['controller'].pid
        # bin/baton-controller execs java, so the pid we started is the JVM.
        with open('/proc/%d/comm' % pid) as f:
            assert f.read().strip() == 'java', 'pid %d is not the JVM' % pid
        with open('/proc/%d/status' % pid) as f:
            rss = int(re.search(r'^VmRSS:\s+(\d+) kB', f.read(), re.M).group(1))
        out = subprocess.run(['jcmd', str(pid), 'GC.class_histogram'],
                             capture_output=True, text=True, timeout=60).stdout
        total = re.search(r'^Total\s+\d+\s+(\d+)\s*$', out, re.M)
        assert total, 'jcmd %d GC.class_histogram: %s' % (pid, out[-300:])
        return {'liveHeap': int(total.group(1)), 'rss': rss * 1024, 'pid': pid}

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

    @staticmethod
    def takes_connections(server):
        """True if a row of GET /servers may get new connections: agent up
           and healthy in every pool it belongs to (and in at least one)."""
        return bool(server.get('agentConnected') and server['pools'] and
                    all(m['health'] == 'up' for m in server['pools']))

    def rest(self, method, path, body=None, timeout=5):
        """Any REST call from inside ctl with the bearer token: (status,
           parsed JSON or None)."""
        url = 'http://%s:%d/api/v1/%s' % (
            MGMT_CONTROLLER_IP, self.config['rest']['port'], path.lstrip('/'))
        argv = ['curl', '-sS', '--max-time', str(timeout), '-X', method,
                '-H', '@' + self.auth_header_file, '-w', '\n%{http_code}']
        if body is not None:
            argv += ['-H', 'Content-Type: application/json',
                     '--data-binary', json.dumps(body)]
        _, out, err = run_in(self.host(CONTROLLER_HOST), argv + [url],
                             timeout=timeout + 5, check=False)
        text, _, status = out.rpartition('\n')
        if not status.isdigit():
            raise RestError(path, err.strip(), text)
        return int(status), (json.loads(text) if text.strip() else None)

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

    def kill_agent(self, server):
        "SIGKILL to a server's agent: a crash, not a clean stop."
        info('*** Killing agent on %s\n' % server)
        proc = self.procs.procs.get('agent-' + server)
        if proc is not None and proc.running():
            os.kill(proc.pid, signal.SIGKILL)
        self.procs.stop('agent-' + server)

    def stop_nginx(self, server):
        info('*** Stopping nginx on %s\n' % server)
        self.procs.stop('nginx-' + server)

    def start_nginx(self, server, timeout=10):
        info('*** Starting nginx on %s\n' % server)
        site = self.sites[server]
        proc = self.procs.start('nginx-' + server, self.host(server),
                                site.argv(), site.stdout_log)
        wait_for(lambda: proc.running() and all(
            listens(self.host(server), a) for a in site.listen_addresses()),
            timeout, 'nginx on %s to listen' % server)

    def rest_as_cli(self, *args, timeout=20):
        """bin/baton run in ctl against this controller: (exit code,
           stdout, stderr)."""
        argv = [PYTHON, os.path.join(REPO, 'bin', 'baton'),
                '--api', 'http://%s:%d' % (MGMT_CONTROLLER_IP,
                                           self.config['rest']['port']),
                '--token-file', self.token_file] + list(args)
        return run_in(self.host(CONTROLLER_HOST), argv, timeout=timeout,
                      check=False)

    def agent_running(self, server):
        proc = self.procs.procs.get('agent-' + server)
        return bool(proc and proc.running())

    def wait_agents(self, timeout=60):
        """Until the REST API shows, for every server whose agent runs, the
           agent connected and the server up (able to take connections)."""
        expected = {self.address_of(s) for s in self.server_names
                    if self.agent_running(s)}

        def connected():
            for s in self.server_names:
                self.check_running('agent-' + s)
            servers = self.servers_by_address()
            return all(self.takes_connections(servers.get(a, {}))
                       for a in expected)
        wait_for(connected, timeout, 'agents of %s to connect' % sorted(expected),
                 detail=lambda: '\n' + self.log_tails(10))
