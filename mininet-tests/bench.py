#!/usr/bin/python3
"""Baton benchmark: the same client reaching one server directly
(http://10.0.0.11/), through Baton's VIP in nat and in dsr mode, and through
HAProxy and nginx as L7 proxies on c2, all in one network per mode.

Not a test: it prints a table and writes mininet-tests/results/bench.json.
Run it with mininet-tests/bench (which prepares the machine and builds), or
as root after building:

    /usr/bin/python3 mininet-tests/bench.py [--modes nat,dsr] [--seconds 10]
        [--ttfb-requests 200] [--ttfb-rate 50] [--bulk-runs 3]
        [--concurrency 1,16,64] [--warmup 10] [--warmup-max 120]
        [--cases direct,baton,haproxy,nginx]

For each mode one network is started whose `static` pool holds only h1, so
the VIP leads to the very server the direct case reaches; the direct case
runs in the same network (Baton's L2 rules forward it), so both go through
the same switch.  HAProxy (one thread) and nginx (one worker, no master,
proxy buffering to memory only) run on c2 and route by path like Baton's
rules: /api/ to h3, the rest to h1.  Each case is warmed up first:
--warmup seconds of the connection-rate load, then, for Baton, 5 s rounds
while the JIT compilers of the controller and agents still take over 5 % of
a core (at most --warmup-max seconds in all).  Measured from c1:
  - connection rate: wrk, a new connection per request ("Connection: close")
    for a 1 KiB file, at each concurrency of --concurrency
  - CPU seconds the controller (or the proxy) spends per 1,000 of those
    connections, from /proc (user + system, its threads and children), and
    the same by part (balancer, agent, switch, web server)
  - system calls and context switches per connection, by part, counted by
    perf (linux-perf) during the same phase
  - time to first byte: curl, one new connection per request, at a fixed
    rate (--ttfb-rate, 50/s; curl --rate), %{time_starttransfer} (connect +
    request + first response byte), p50/p99
  - bulk: a 1 MiB and a 100 MiB download, MB/s (median of the runs); and
    eight 100 MiB downloads at once, aggregate MB/s
Targets printed beside the figures: added TTFB p50 < 1 ms; bulk >= 0.9x
direct.  PNG plots (connection rate by concurrency, TTFB distribution,
throughput by response size) are written beside the JSON when matplotlib is
there.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mininet.log import info, setLogLevel  # noqa: E402

from baton_net import MODES, VIP, baton_network  # noqa: E402
from baton_net.config import controller_config  # noqa: E402
from baton_net.hostexec import listens, run_in, wait_for  # noqa: E402
from baton_net.topo import DATA_SWITCH, server_ip  # noqa: E402
from baton_net.webserver import MIB, ensure_files  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, 'results', 'bench.json')
BULK_FILE = '100m.bin'
SMALL_FILE = '1k.bin'
MID_FILE = '1m.bin'
PARALLEL_BULK = 8
HAPROXY_PORT = 8080
NGINX_PROXY_PORT = 8081
TTFB_TARGET_MS = 1.0
BULK_TARGET_RATIO = 0.9

# wrk prints this JSON line when it is done (wrk's Lua API: done()).
WRK_REPORT = r'''
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,' ..
    '"timeouts":%d,"latency_p50_us":%d,"latency_p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
'''


def percentile(values, p):
    "Nearest-rank percentile of a non-empty list."
    ordered = sorted(values)
    rank = max(1, int(round(p / 100.0 * len(ordered) + 0.5)))
    return ordered[min(rank, len(ordered)) - 1]


def family(pid):
    "A process and its descendants, however deep (nginx's workers, say)."
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    parents[int(entry)] = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    members = {pid}
    grew = True
    while grew:
        grew = False
        for p, ppid in parents.items():
            if ppid in members and p not in members:
                members.add(p)
                grew = True
    return {p for p in members if p in parents}


def stat_cpu_seconds(stat_path):
    "User + system CPU seconds in a /proc stat file (a process's or a thread's)."
    with open(stat_path) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    "User + system CPU seconds of a process, its threads and its children."
    if pid is None:
        return None
    total = 0.0
    for p in family(pid):
        try:
            total += stat_cpu_seconds('/proc/%d/stat' % p)
        except OSError:
            continue
    return total


class SystemCalls:
    """Counts, with perf, the system calls and context switches of each part
       (a process, its threads and children) while the block runs.  On this
       machine each system call goes through the hypervisor and costs more than
       the work around it, so these counts, steadier than CPU time, explain the
       CPU figures.  Counts nothing, and says so once, where perf cannot."""
    EVENTS = ('raw_syscalls:sys_enter', 'context-switches')
    _usable = None

    def __init__(self, parts):
        self.parts = parts
        self.perfs = {}
        self.counts = {}

    @classmethod
    def usable(cls):
        if cls._usable is None:
            try:
                probe = subprocess.run(
                    ['perf', 'stat', '-x', ',', '-e', ','.join(cls.EVENTS),
                     'true'], capture_output=True, timeout=30)
                cls._usable = probe.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                cls._usable = False
            if not cls._usable:
                info('*** perf cannot count system calls here: '
                     'no system-call figures\n')
        return cls._usable

    def __enter__(self):
        if not self.usable():
            return self
        for name, pid in self.parts.items():
            pids = ','.join(str(p) for p in sorted(family(pid)))
            out = tempfile.TemporaryFile()
            self.perfs[name] = (subprocess.Popen(
                ['perf', 'stat', '-x', ',', '-e', ','.join(self.EVENTS),
                 '-p', pids], stdout=subprocess.DEVNULL, stderr=out), out)
        time.sleep(0.2)  # perf attaches before the load starts
        return self

    def __exit__(self, *exc):
        for name, (perf, out) in self.perfs.items():
            perf.send_signal(signal.SIGINT)
            try:
                perf.wait(timeout=30)
            except subprocess.TimeoutExpired:
                perf.kill()
                perf.wait()
            out.seek(0)
            self.counts[name] = self.parse(out.read().decode(errors='replace'))
            out.close()
        return False

    @classmethod
    def parse(cls, text):
        "perf's CSV lines (count,unit,event,...) to {event: count}."
        counts = {}
        for line in text.splitlines():
            fields = line.split(',')
            if len(fields) >= 3 and fields[2] in cls.EVENTS:
                try:
                    counts[fields[2]] = int(fields[0])
                except ValueError:
                    pass  # <not counted>
        return counts

    def per_connection(self, event, connections):
        return {name: c[event] / connections
                for name, c in self.counts.items()
                if event in c and connections}


def switch_pid():
    "ovs-vswitchd's process id (the userspace datapath does all switching)."
    try:
        with open('/var/run/openvswitch/ovs-vswitchd.pid') as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def thread_usage(pid):
    """CPU seconds and context switches (voluntary and not) of each thread of
       a process, summed by thread name without its number (OVS names its
       threads revalidator65, urcu2...)."""
    usage = {}
    if pid is None:
        return usage
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return usage
    for tid in tasks:
        base = '/proc/%d/task/%s/' % (pid, tid)
        try:
            with open(base + 'comm') as f:
                name = f.read().strip().rstrip('0123456789') or 'thread'
            cpu_s = stat_cpu_seconds(base + 'stat')
            with open(base + 'status') as f:
                switches = sum(int(line.split()[1]) for line in f
                               if 'voluntary_ctxt_switches' in line)
        except (OSError, ValueError, IndexError):
            continue
        cpu, cs = usage.get(name, (0.0, 0))
        usage[name] = (cpu + cpu_s, cs + switches)
    return usage


def thread_delta(before, after, connections):
    """Per connection, by thread name: CPU milliseconds and context switches
       between two thread_usage() snapshots."""
    if not connections:
        return {}
    delta = {}
    for name, (cpu, cs) in after.items():
        cpu0, cs0 = before.get(name, (0.0, 0))
        if cpu - cpu0 > 0 or cs - cs0 > 0:
            delta[name] = {'cpu_ms': (cpu - cpu0) * 1000.0 / connections,
                           'context_switches': (cs - cs0) / connections}
    return delta


def is_controller(bn, pid):
    "Whether pid is Baton's controller (the case measured is Baton's)."
    return pid is not None and pid == bn.procs.procs['controller'].pid


def cpu_parts(bn, pid):
    """The processes whose CPU a connection costs, by part: the controller or
       proxy measured, the agent and web server of h1 (the server every case
       reaches), and the switch."""
    parts = {'switch': switch_pid(),
             'web server': bn.procs.procs['nginx-h1'].pid}
    if pid is not None:
        parts['balancer'] = pid
    if is_controller(bn, pid):
        parts['agent'] = bn.procs.procs['agent-h1'].pid
    return {name: p for name, p in parts.items() if p is not None}


def connection_rate(bn, base, seconds, connections, script, pid=None):
    parts = cpu_parts(bn, pid)
    parts_before = {name: cpu_seconds(p) for name, p in parts.items()}
    cpu_before = cpu_seconds(pid)
    switch_before = thread_usage(parts.get('switch'))
    with SystemCalls(parts) as calls:
        _, out, _ = run_in(bn.host('c1'), [
            'wrk', '-t%d' % min(2, connections), '-c%d' % connections,
            '-d%ds' % seconds, '--timeout', '5s', '-H', 'Connection: close',
            '-s', script, base + '/files/' + SMALL_FILE], timeout=seconds + 60)
    cpu = cpu_seconds(pid) - cpu_before if pid is not None else None
    switch_after = thread_usage(parts.get('switch'))
    spent = {name: cpu_seconds(p) - parts_before[name]
             for name, p in parts.items()}
    report = json.loads(out.strip().splitlines()[-1])
    errors = sum(report[k] for k in ('connect_errors', 'read_errors',
                                     'write_errors', 'status_errors',
                                     'timeouts'))
    return {'connections_per_s': report['requests'] /
            (report['duration_us'] / 1e6),
            'requests': report['requests'], 'errors': errors,
            'errors_by_kind': {k: report[k] for k in (
                'connect_errors', 'read_errors', 'write_errors',
                'status_errors', 'timeouts') if report[k]},
            'concurrency': connections,
            'latency_p50_ms': report['latency_p50_us'] / 1000.0,
            'latency_p99_ms': report['latency_p99_us'] / 1000.0,
            'cpu_s_per_1000': cpu * 1000.0 / report['requests']
            if cpu is not None and report['requests'] else None,
            'cpu_s_per_1000_by_part': {
                name: t * 1000.0 / report['requests']
                for name, t in spent.items()} if report['requests'] else {},
            'syscalls_per_conn_by_part': calls.per_connection(
                'raw_syscalls:sys_enter', report['requests']),
            'context_switches_per_conn_by_part': calls.per_connection(
                'context-switches', report['requests']),
            # ovs-vswitchd by thread: its main loop, and the revalidator that
            # every change of the flow table sets to work on all cached flows
            'switch_threads_per_conn': thread_delta(
                switch_before, switch_after, report['requests'])}


def ttfb(bn, base, requests, baton=False, rate=0):
    """One curl, one new connection per request, at most `rate` starting
       per second (0: each as soon as the one before ends).  Each regime has
       its own cost: back to back, every connection's rules change the
       switch's flow table while the next one starts, and its revalidator
       competes for the cores; at a fixed rate the cores go idle between
       requests, and each process on the path is woken from idle.  After a
       long rate phase the
       client's ports are mostly in TIME_WAIT (wrk closes first), so curl
       takes the few free ones again and again: through Baton, a port reused
       while its last connection's rules linger; counted (ports_reused)."""
    reused = (lambda: bn.rest_get('stats')['counters']['portsReused']) \
        if baton else (lambda: None)
    reused_before = reused()
    results = bn.curl_many('c1', ['%s/ttfb/%d' % (base, i)
                                  for i in range(requests)],
                           headers=['Connection: close'], timeout=300,
                           rate=rate)
    reused_after = reused()
    ok = [r.ttfb * 1000 for r in results if r.ok]
    failures = [r.describe() for r in results if not r.ok]
    for line in failures[:5]:
        info('*** time to first byte: failed: %s\n' % line)
    return {'requests': requests, 'rate_per_s': rate or None,
            'failed': requests - len(ok),
            'failures': failures[:20],  # curl's reason and the client port
            'p50_ms': percentile(ok, 50) if ok else None,
            'p99_ms': percentile(ok, 99) if ok else None,
            'distinct_ports': len({r.local_port for r in results}),
            'ports_reused': None if reused_before is None
            else reused_after - reused_before,
            'samples_ms': sorted(ok)}


def bulk(bn, base, runs, name=BULK_FILE):
    expected = bn.files[name]
    speeds, failures, each = [], [], []
    for _ in range(runs):
        r = bn.curl('c1', base + expected.path, timeout=300)
        if r.ok and r.sha256 == expected.sha256:
            speeds.append(expected.size / r.time_total / 1e6)
            # the client port, ms to the first byte and in all: a slow run explains itself
            each.append((r.local_port, round(r.ttfb * 1000, 2),
                         round(r.time_total * 1000, 1)))
        else:
            failures.append(r.describe())
            info('*** bulk run failed: %s\n' % r.describe())
    return {'runs': runs, 'failed': len(failures), 'failures': failures,
            'mb_per_s': statistics.median(speeds) if speeds else None,
            'each_run': each}


def parallel_bulk(bn, base, count):
    "count downloads of the 100 MiB file at once: aggregate MB/s."
    expected = bn.files[BULK_FILE]
    results = bn.curl_many('c1', [base + expected.path] * count,
                           parallel=count, timeout=600)
    ok = [r for r in results if r.ok and r.size == expected.size]
    failures = [r.describe() for r in results if not (r.ok and r.size == expected.size)]
    for f in failures:
        info('*** parallel download failed: %s\n' % f)
    longest = max((r.time_total for r in ok), default=0)
    return {'downloads': count, 'failed': count - len(ok), 'failures': failures,
            'mb_per_s': len(ok) * expected.size / longest / 1e6
            if longest else None,
            # the client port, ms to the first byte and in all, per download
            'each_run': [(r.local_port, round(r.ttfb * 1000, 2),
                          round(r.time_total * 1000, 1)) for r in ok]}


SETTLE_FLOWS = 64          # rules and datapath flows a quiet switch may hold
SETTLE_TIMEOUT_S = 60


def switch_flows():
    "(OpenFlow rules in the data switch, flows in the userspace datapath)"
    agg = subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', 'dump-aggregate',
                          DATA_SWITCH], capture_output=True, text=True).stdout
    rules = int(agg.split('flow_count=')[1].split()[0]) \
        if 'flow_count=' in agg else 0
    dp = subprocess.run(['ovs-appctl', 'dpctl/dump-flows',
                         'netdev@ovs-netdev'], capture_output=True,
                        text=True).stdout
    return rules, len([ln for ln in dp.splitlines() if ln.strip()])


def settle(what):
    """Waits until the data switch holds few rules and datapath flows again:
       the rules of the connections just measured (idle timeout) and their
       datapath flows cost the switch's one busy thread work that would
       otherwise be charged to whatever is measured next."""
    start = time.time()
    rules, dp = switch_flows()
    while (rules > SETTLE_FLOWS or dp > SETTLE_FLOWS) and \
            time.time() - start < SETTLE_TIMEOUT_S:
        time.sleep(1)
        rules, dp = switch_flows()
    info('*** %s: switch settled in %.0f s (%d rules, %d datapath flows)\n'
         % (what, time.time() - start, rules, dp))


JIT_THREADS = ('C1 CompilerThre', 'C2 CompilerThre')  # comm is 15 characters
WARMUP_ROUND_S = 5
JIT_QUIET_SHARE = 0.05   # of a core, all of the path's JVMs together


def jvm_pids(bn, pid):
    "The JVMs on a case's path: the controller and every agent (Baton only)."
    if not is_controller(bn, pid):
        return []
    return [p.pid for name, p in bn.procs.procs.items()
            if name == 'controller' or name.startswith('agent-')]


def jit_cpu_seconds(pids):
    "CPU seconds of the JIT compiler threads of these JVMs (and their children)."
    total = 0.0
    for pid in pids:
        for p in family(pid):
            for name, (cpu, _) in thread_usage(p).items():
                if name in JIT_THREADS:
                    total += cpu
    return total


def warm_up(bn, base, args, script, jvms):
    """Load for --warmup seconds, then in rounds of 5 s while the JIT
       compilers of the path's JVMs still take more than 5 % of a core, up to
       --warmup-max seconds in all.  A balancer runs for days; a fixed 20 s
       left the controller's C2 compiler at 35-43 % of a core and each
       agent's at 15-36 % in the first seconds of the measured phase, on two
       cores shared by everything measured.  Returns what was done."""
    def load(seconds):
        "The JIT compilers' share of a core during seconds of load."
        before = jit_cpu_seconds(jvms)
        connection_rate(bn, base, seconds, max(args.concurrency), script)
        return (jit_cpu_seconds(jvms) - before) / seconds

    info('*** %s: warming up (%d s)\n' % (base, args.warmup))
    share, seconds = load(args.warmup), args.warmup
    while jvms and share > JIT_QUIET_SHARE and \
            seconds + WARMUP_ROUND_S <= args.warmup_max:
        info('*** %s: JIT compilers at %.0f %% of a core: %d s more\n' % (
            base, share * 100, WARMUP_ROUND_S))
        share = load(WARMUP_ROUND_S)
        seconds += WARMUP_ROUND_S
    if not jvms:
        return {'seconds': seconds, 'jit_share_last_round': None}
    info('*** %s: warm after %d s (JIT compilers at %.0f %% of a core in '
         'the last round)\n' % (base, seconds, share * 100))
    return {'seconds': seconds, 'jit_share_last_round': round(share, 3)}


def measure(bn, base, args, script, pid=None, baton=False):
    settle(base)
    jvms = jvm_pids(bn, pid)
    warmup = warm_up(bn, base, args, script, jvms) if args.warmup > 0 \
        else None
    rates = []
    for c in args.concurrency:
        info('*** %s: connection rate, %d at once (%d s)\n' % (
            base, c, args.seconds))
        jit_before = jit_cpu_seconds(jvms)
        rate = connection_rate(bn, base, args.seconds, c, script, pid)
        # what of the balancer's and agents' CPU was compiling, not serving
        rate['jit_cpu_s_per_1000'] = \
            (jit_cpu_seconds(jvms) - jit_before) * 1000.0 / rate['requests'] \
            if jvms and rate['requests'] else None
        rates.append(rate)
    settle(base)
    info('*** %s: time to first byte (%d requests)\n' % (base,
                                                         args.ttfb_requests))
    first_byte = ttfb(bn, base, args.ttfb_requests, baton, args.ttfb_rate)
    settle(base)
    info('*** %s: bulk (%d x 1 MiB, %d x 100 MiB, %d at once)\n' % (
        base, args.bulk_runs, args.bulk_runs, PARALLEL_BULK))
    return {'url': base, 'warmup': warmup,
            # the figure at the concurrency of the table (the highest)
            'connection_rate': max(rates, key=lambda r: r['concurrency']),
            'connection_rates': rates, 'ttfb': first_byte,
            'bulk_1m': bulk(bn, base, args.bulk_runs, MID_FILE),
            'bulk': bulk(bn, base, args.bulk_runs),
            'bulk_parallel': parallel_bulk(bn, base, PARALLEL_BULK)}


HAPROXY_CFG = """\
global
    maxconn 8000
    nbthread 1
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend web
    bind {ip}:{port}
    acl api path_beg /api/
    use_backend api if api
    default_backend static
backend static
    server h1 {h1}:80
backend api
    server h3 {h3}:80
"""

NGINX_PROXY_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {run}/nginx-proxy.pid;
error_log {run}/nginx-proxy.err warn;
events {{ worker_connections 8000; }}
http {{
    access_log off;
    client_body_temp_path {run}/nginx-proxy-tmp/body;
    proxy_temp_path {run}/nginx-proxy-tmp/proxy;
    fastcgi_temp_path {run}/nginx-proxy-tmp/fastcgi;
    uwsgi_temp_path {run}/nginx-proxy-tmp/uwsgi;
    scgi_temp_path {run}/nginx-proxy-tmp/scgi;
    proxy_max_temp_file_size 0;
    upstream static {{ server {h1}:80; }}
    upstream api {{ server {h3}:80; }}
    server {{
        listen {ip}:{port};
        location / {{ proxy_pass http://static; }}
        location /api/ {{ proxy_pass http://api; }}
    }}
}}
"""


def start_proxies(bn):
    """HAProxy and nginx as L7 proxies on c2; their URLs and process ids."""
    host = bn.host('c2')
    ip = host.IP()
    h1, h3 = server_ip(1), server_ip(3)
    haproxy_cfg = os.path.join(bn.run_dir, 'haproxy.cfg')
    with open(haproxy_cfg, 'w') as f:
        f.write(HAPROXY_CFG.format(ip=ip, port=HAPROXY_PORT, h1=h1, h3=h3))
    os.makedirs(os.path.join(bn.run_dir, 'nginx-proxy-tmp'), exist_ok=True)
    nginx_conf = os.path.join(bn.run_dir, 'nginx-proxy.conf')
    with open(nginx_conf, 'w') as f:
        f.write(NGINX_PROXY_CONF.format(ip=ip, port=NGINX_PROXY_PORT,
                                        run=bn.run_dir, h1=h1, h3=h3))
    bn.procs.start('haproxy', host, ['haproxy', '-db', '-f', haproxy_cfg],
                   os.path.join(bn.run_dir, 'haproxy.log'))
    bn.procs.start('nginx-proxy', host, ['nginx', '-c', nginx_conf],
                   os.path.join(bn.run_dir, 'nginx-proxy.log'))
    for port in (HAPROXY_PORT, NGINX_PROXY_PORT):
        wait_for(lambda: listens(host, '%s:%d' % (ip, port)), 10,
                 'a proxy to listen on %s:%d' % (ip, port))
    return {'haproxy': ('http://%s:%d' % (ip, HAPROXY_PORT),
                        bn.procs.procs['haproxy'].pid),
            'nginx': ('http://%s:%d' % (ip, NGINX_PROXY_PORT),
                      bn.procs.procs['nginx-proxy'].pid)}


def one_server_overrides(servers):
    "The static pool holds h1 only: the VIP leads where 'direct' goes."
    service = controller_config('nat', servers, '', '')['services'][0]
    for pool in service['pools']:
        if pool['name'] == 'static':
            pool['servers'] = [server_ip(1)]
    return service


def run_mode(mode, args, files_dir, script, with_proxies):
    service = one_server_overrides(3)
    service['mode'] = mode
    with baton_network(mode, files_dir=files_dir, keep_logs=args.keep_logs,
                       config_overrides={'services': [service]}) as bn:
        result = {}
        if 'direct' in args.cases or with_proxies:
            result['direct'] = measure(bn, 'http://%s' % server_ip(1), args,
                                       script)
        result['baton'] = measure(bn, 'http://%s' % VIP, args, script,
                                  bn.procs.procs['controller'].pid, baton=True)
        stats = bn.rest_get('stats')
        if with_proxies:
            for name, (url, pid) in start_proxies(bn).items():
                if name in args.cases:
                    result[name] = measure(bn, url, args, script, pid)
    result['serverToClientPayloadBytes'] = stats.get(
        'serverToClientPayloadBytes')
    # Every counter of the controller after Baton's case: resets sent and
    # why, handoffs dropped and why, so that an error wrk saw can be traced.
    result['controller_stats'] = stats
    if 'direct' in result:
        result['targets'] = targets(result['direct'], result['baton'],
                                    result.get('haproxy'), result.get('nginx'))
    return result


def targets(direct, via, haproxy=None, nginx=None):
    d50, v50 = direct['ttfb']['p50_ms'], via['ttfb']['p50_ms']
    added = v50 - d50 if d50 is not None and v50 is not None else None
    dbulk, vbulk = direct['bulk']['mb_per_s'], via['bulk']['mb_per_s']
    ratio = vbulk / dbulk if dbulk and vbulk else None
    drate = direct['connection_rate']['connections_per_s']
    vrate = via['connection_rate']['connections_per_s']
    return {
        'added_ttfb_p50_ms': added,
        'added_ttfb_p50_target_ms': TTFB_TARGET_MS,
        'added_ttfb_p50_met': added is not None and added < TTFB_TARGET_MS,
        'bulk_ratio': ratio,
        'bulk_ratio_target': BULK_TARGET_RATIO,
        'bulk_ratio_met': ratio is not None and ratio >= BULK_TARGET_RATIO,
        'connection_rate_ratio': vrate / drate if drate else None,
        'connection_rate_vs_haproxy': vrate / haproxy['connection_rate'][
            'connections_per_s'] if haproxy else None,
        'bulk_vs_haproxy': vbulk / haproxy['bulk']['mb_per_s']
        if haproxy and haproxy['bulk']['mb_per_s'] and vbulk else None,
        'bulk_vs_nginx': vbulk / nginx['bulk']['mb_per_s']
        if nginx and nginx['bulk']['mb_per_s'] and vbulk else None,
    }


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def table(report):
    "The report as a markdown table."
    header = ('case', 'conn/s', 'CPU s/1000', 'errors', 'TTFB p50 ms',
              'TTFB p99 ms', '1 MiB MB/s', '100 MiB MB/s', '8x100 MiB MB/s',
              'vs direct')
    rows = []
    for mode, result in report['modes'].items():
        t = result.get('targets')
        for case, label in (('direct', 'direct (%s net)' % mode),
                            ('baton', 'baton %s' % mode),
                            ('haproxy', 'haproxy (%s net)' % mode),
                            ('nginx', 'nginx proxy (%s net)' % mode)):
            m = result.get(case)
            if m is None:
                continue
            if case != 'baton' or t is None:
                verdict = ''
            else:
                verdict = 'TTFB +%s ms (target < %.0f: %s); bulk x%s ' \
                          '(target >= %.1f: %s)' % (
                              fmt(t['added_ttfb_p50_ms'], '%.3f'),
                              TTFB_TARGET_MS,
                              'met' if t['added_ttfb_p50_met'] else 'MISSED',
                              fmt(t['bulk_ratio']), BULK_TARGET_RATIO,
                              'met' if t['bulk_ratio_met'] else 'MISSED')
            rows.append((label,
                         fmt(m['connection_rate']['connections_per_s'], '%.0f'),
                         fmt(m['connection_rate'].get('cpu_s_per_1000'), '%.3f'),
                         str(sum(r['errors'] for r in m['connection_rates']) +
                             m['ttfb']['failed'] + m['bulk']['failed'] +
                             m['bulk_1m']['failed'] +
                             m['bulk_parallel']['failed']),
                         fmt(m['ttfb']['p50_ms'], '%.3f'),
                         fmt(m['ttfb']['p99_ms'], '%.3f'),
                         fmt(m['bulk_1m']['mb_per_s'], '%.1f'),
                         fmt(m['bulk']['mb_per_s'], '%.1f'),
                         fmt(m['bulk_parallel']['mb_per_s'], '%.1f'),
                         verdict))
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join('---' for _ in header) + '|']
    lines += ['| ' + ' | '.join(r) + ' |' for r in rows]
    calls = syscall_table(report)
    return '\n'.join(lines) + '\n\n' + cpu_table(report) + (
        '\n\n' + calls if calls else '')


def measured_cases(report):
    "(row label, measurement) of each case run, in the tables' order."
    for mode, result in report['modes'].items():
        for case in ('direct', 'baton', 'haproxy', 'nginx'):
            m = result.get(case)
            if m is not None:
                yield ('baton %s' % mode if case == 'baton'
                       else '%s (%s net)' % (case, mode)), m


def cpu_table(report):
    """CPU seconds per 1,000 connections at the highest concurrency, by part:
       where each case spends the machine."""
    parts = ('balancer', 'agent', 'switch', 'web server')
    header = ('case',) + parts + ('total',)
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join('---' for _ in header) + '|']
    warm = []
    for label, m in measured_cases(report):
        by = m['connection_rate'].get('cpu_s_per_1000_by_part', {})
        lines.append('| ' + ' | '.join(
            [label] + [fmt(by.get(p), '%.3f') for p in parts] +
            [fmt(sum(by.values()) if by else None, '%.3f')]) + ' |')
        jit = m['connection_rate'].get('jit_cpu_s_per_1000')
        if jit is not None:
            warm.append('%s: warmed up %d s; JIT compilers (controller and '
                        'agents) %.3f s per 1,000 connections of the above'
                        % (label, (m.get('warmup') or {}).get('seconds', 0),
                           jit))
    return '\n'.join(lines + ([''] + warm if warm else []))


def syscall_table(report):
    """System calls and context switches per connection at the highest
       concurrency, by part (perf), then ovs-vswitchd's CPU and context
       switches by thread: what the CPU figures are made of here."""
    parts = ('balancer', 'agent', 'switch', 'web server')
    header = ('case',) + parts + ('total',)
    rows, threads = [], []
    for label, m in measured_cases(report):
        rate = m['connection_rate']
        calls = rate.get('syscalls_per_conn_by_part', {})
        switches = rate.get('context_switches_per_conn_by_part', {})
        if calls:
            cells = ['%.1f (%.1f)' % (calls[p], switches.get(p, 0))
                     if p in calls else '-' for p in parts]
            rows.append('| ' + ' | '.join(
                [label] + cells + ['%.1f (%.1f)' % (
                    sum(calls.values()), sum(switches.values()))]) + ' |')
        by_thread = rate.get('switch_threads_per_conn')
        if by_thread:
            threads.append('switch threads, %s: %s' % (label, ', '.join(
                '%s %.3f ms (%.1f)' % (n, t['cpu_ms'], t['context_switches'])
                for n, t in sorted(by_thread.items(),
                                   key=lambda x: -x[1]['cpu_ms'])
                if t['cpu_ms'] >= 0.0005 or t['context_switches'] >= 0.05)))
    if not rows:
        return ''
    return '\n'.join(['system calls (context switches) per connection',
                      '| ' + ' | '.join(header) + ' |',
                      '|' + '|'.join('---' for _ in header) + '|'] + rows +
                     [''] + threads)


def plots(report, directory):
    """PNG plots of the report; none (and a note) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('(no plots: python3-matplotlib is not installed)')
        return []
    cases = []
    for mode, result in report['modes'].items():
        for case in ('direct', 'baton', 'haproxy', 'nginx'):
            if case in result:
                label = 'baton %s' % mode if case == 'baton' else case
                if label not in [c[0] for c in cases]:
                    cases.append((label, result[case]))
    written = []

    def save(fig, name):
        written.append(os.path.join(directory, name))
        fig.savefig(written[-1], dpi=110, bbox_inches='tight')
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, m in cases:
        rates = m['connection_rates']
        ax.plot([r['concurrency'] for r in rates],
                [r['connections_per_s'] for r in rates], marker='o', label=label)
    ax.set_xscale('log', base=2)
    ax.set_xlabel('connections at once')
    ax.set_ylabel('new connections per second (1 KiB response)')
    ax.set_title('Connection rate by concurrency')
    ax.legend()
    save(fig, 'bench-connection-rate.png')

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, m in cases:
        samples = m['ttfb']['samples_ms']
        if samples:
            ax.plot(samples, [(i + 1) / len(samples) for i in range(len(samples))],
                    label=label)
    ax.set_xscale('log')
    ax.set_xlabel('time to first byte, ms (new connection per request)')
    ax.set_ylabel('fraction of requests')
    ax.set_title('Time to first byte')
    ax.legend()
    save(fig, 'bench-ttfb.png')

    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = ['1 KiB, new connections', '1 MiB', '100 MiB', '8 x 100 MiB']
    width = 0.8 / max(1, len(cases))
    for i, (label, m) in enumerate(cases):
        small = m['connection_rate']
        values = [small['connections_per_s'] * 1024 / 1e6,
                  m['bulk_1m']['mb_per_s'] or 0, m['bulk']['mb_per_s'] or 0,
                  m['bulk_parallel']['mb_per_s'] or 0]
        ax.bar([x + i * width for x in range(len(sizes))], values, width,
               label=label)
    ax.set_xticks([x + width * (len(cases) - 1) / 2 for x in range(len(sizes))])
    ax.set_xticklabels(sizes)
    ax.set_ylabel('MB/s')
    ax.set_title('Throughput by response size')
    ax.legend()
    save(fig, 'bench-throughput.png')
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--modes', default=','.join(MODES),
                        help='comma-separated (default: nat,dsr)')
    parser.add_argument('--seconds', type=int, default=10,
                        help='wrk duration per case (default 10)')
    parser.add_argument('--concurrency', default='1,16,64',
                        help='wrk connections at once, rising (default 1,16,64)')
    parser.add_argument('--cases', default='direct,baton,haproxy,nginx',
                        help='what to measure (default: all four)')
    parser.add_argument('--warmup', type=int, default=10,
                        help='seconds of load before measuring each case')
    parser.add_argument('--warmup-max', type=int, default=120,
                        help='seconds of load at most, while the JVMs on '
                        "Baton's path are still compiling (default 120)")
    parser.add_argument('--ttfb-requests', type=int, default=200)
    parser.add_argument('--ttfb-rate', type=int, default=50,
                        help='time-to-first-byte requests started per second '
                        '(default 50; 0: back to back)')
    parser.add_argument('--bulk-runs', type=int, default=3)
    parser.add_argument('--output', default=RESULTS)
    parser.add_argument('--keep-logs', action='store_true',
                        help="keep each network's run directory (logs)")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(',') if m]
    args.concurrency = [int(c) for c in args.concurrency.split(',') if c]
    args.cases = [c for c in args.cases.split(',') if c]
    assert all(m in MODES for m in modes), 'modes: %s' % (MODES,)
    setLogLevel('info')

    work = tempfile.mkdtemp(prefix='baton-bench-')
    report = {'when': datetime.datetime.now(datetime.timezone.utc)
              .isoformat(timespec='seconds'),
              'machine': {'kernel': platform.release(),
                          'cpus': os.cpu_count()},
              'parameters': vars(args), 'modes': {}}
    try:
        script = os.path.join(work, 'report.lua')
        with open(script, 'w') as f:
            f.write(WRK_REPORT)
        files_dir = os.path.join(work, 'files')
        ensure_files(files_dir, sizes=((SMALL_FILE, 1024), (MID_FILE, MIB),
                                       (BULK_FILE, 100 * MIB)))
        for i, mode in enumerate(modes):
            # The proxies do not depend on Baton's mode: measured once.
            report['modes'][mode] = run_mode(mode, args, files_dir, script,
                                             with_proxies=i == 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, 'w') as f:
        json.dump(report, f, indent=2)
    print()
    print(table(report))
    print('\nwritten to %s' % args.output)
    for png in plots(report, os.path.dirname(os.path.abspath(args.output))):
        print('plot: %s' % png)
    return 0


if __name__ == '__main__':
    sys.exit(main())
