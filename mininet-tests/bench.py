#!/usr/bin/python3
"""Baton benchmark: the same client reaching one server directly
(http://10.0.0.11/) and through Baton's VIP, in nat and in dsr mode.

Not a test: it prints a table and writes mininet-tests/results/bench.json.
Run it with mininet-tests/bench (which prepares the machine and builds), or
as root after building:

    /usr/bin/python3 mininet-tests/bench.py [--modes nat,dsr] [--seconds 10]
        [--ttfb-requests 200] [--bulk-runs 3] [--connections 16]

For each mode one network is started whose `static` pool holds only h1, so
the VIP leads to the very server the direct case reaches; the direct case
runs in the same network (Baton's L2 rules forward it), so both go through
the same switch.  Measured from c1:
  - connection rate: wrk, a new connection per request ("Connection: close")
  - time to first byte: curl, one new connection per request,
    %{time_starttransfer} (connect + request + first response byte), p50/p99
  - bulk: a 100 MiB download, MB/s (median of the runs)
Targets printed beside the figures: added TTFB p50 < 1 ms; bulk >= 0.9x
direct.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mininet.log import info, setLogLevel  # noqa: E402

from baton_net import MODES, VIP, baton_network  # noqa: E402
from baton_net.config import controller_config  # noqa: E402
from baton_net.hostexec import run_in  # noqa: E402
from baton_net.topo import server_ip  # noqa: E402
from baton_net.webserver import MIB, ensure_files  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, 'results', 'bench.json')
BULK_FILE = '100m.bin'
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


def connection_rate(bn, base, seconds, connections, script):
    _, out, _ = run_in(bn.host('c1'), [
        'wrk', '-t2', '-c%d' % connections, '-d%ds' % seconds,
        '--timeout', '5s', '-H', 'Connection: close', '-s', script,
        base + '/'], timeout=seconds + 60)
    report = json.loads(out.strip().splitlines()[-1])
    errors = sum(report[k] for k in ('connect_errors', 'read_errors',
                                     'write_errors', 'status_errors',
                                     'timeouts'))
    return {'connections_per_s': report['requests'] /
            (report['duration_us'] / 1e6),
            'requests': report['requests'], 'errors': errors,
            'latency_p50_ms': report['latency_p50_us'] / 1000.0,
            'latency_p99_ms': report['latency_p99_us'] / 1000.0}


def ttfb(bn, base, requests):
    results = bn.curl_many('c1', ['%s/ttfb/%d' % (base, i)
                                  for i in range(requests)],
                           headers=['Connection: close'], timeout=300)
    ok = [r.ttfb * 1000 for r in results if r.ok]
    return {'requests': requests, 'failed': requests - len(ok),
            'p50_ms': percentile(ok, 50) if ok else None,
            'p99_ms': percentile(ok, 99) if ok else None}


def bulk(bn, base, runs):
    expected = bn.files[BULK_FILE]
    speeds, failed = [], 0
    for _ in range(runs):
        r = bn.curl('c1', base + expected.path, timeout=300)
        if r.ok and r.sha256 == expected.sha256:
            speeds.append(expected.size / r.time_total / 1e6)
        else:
            failed += 1
            info('*** bulk run failed: %s\n' % r.describe())
    return {'runs': runs, 'failed': failed,
            'mb_per_s': statistics.median(speeds) if speeds else None}


def measure(bn, base, args, script):
    info('*** %s: connection rate (%d s)\n' % (base, args.seconds))
    rate = connection_rate(bn, base, args.seconds, args.connections, script)
    info('*** %s: time to first byte (%d requests)\n' % (base,
                                                         args.ttfb_requests))
    first_byte = ttfb(bn, base, args.ttfb_requests)
    info('*** %s: bulk (%d x 100 MiB)\n' % (base, args.bulk_runs))
    return {'url': base, 'connection_rate': rate, 'ttfb': first_byte,
            'bulk': bulk(bn, base, args.bulk_runs)}


def one_server_overrides(servers):
    "The static pool holds h1 only: the VIP leads where 'direct' goes."
    service = controller_config('nat', servers, '', '')['services'][0]
    for pool in service['pools']:
        if pool['name'] == 'static':
            pool['servers'] = [server_ip(1)]
    return service


def run_mode(mode, args, files_dir, script):
    service = one_server_overrides(3)
    service['mode'] = mode
    with baton_network(mode, files_dir=files_dir,
                       config_overrides={'services': [service]}) as bn:
        direct = measure(bn, 'http://%s' % server_ip(1), args, script)
        via = measure(bn, 'http://%s' % VIP, args, script)
        stats = bn.rest_get('stats')
    return {'direct': direct, 'baton': via,
            'serverToClientPayloadBytes': stats.get(
                'serverToClientPayloadBytes'),
            'targets': targets(direct, via)}


def targets(direct, via):
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
    }


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def table(report):
    header = ('case', 'conn/s', 'errors', 'TTFB p50 ms', 'TTFB p99 ms',
              'bulk MB/s', 'vs direct')
    rows = []
    for mode, result in report['modes'].items():
        t = result['targets']
        for case, label in (('direct', 'direct (%s net)' % mode),
                            ('baton', 'baton %s' % mode)):
            m = result[case]
            if case == 'direct':
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
                         str(m['connection_rate']['errors'] +
                             m['ttfb']['failed'] + m['bulk']['failed']),
                         fmt(m['ttfb']['p50_ms'], '%.3f'),
                         fmt(m['ttfb']['p99_ms'], '%.3f'),
                         fmt(m['bulk']['mb_per_s'], '%.1f'), verdict))
    widths = [max(len(header[i]), *(len(r[i]) for r in rows))
              for i in range(len(header))]
    lines = ['  '.join(h.ljust(w) for h, w in zip(header, widths)),
             '  '.join('-' * w for w in widths)]
    lines += ['  '.join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--modes', default=','.join(MODES),
                        help='comma-separated (default: nat,dsr)')
    parser.add_argument('--seconds', type=int, default=10,
                        help='wrk duration per case (default 10)')
    parser.add_argument('--connections', type=int, default=16,
                        help='wrk connections (default 16)')
    parser.add_argument('--ttfb-requests', type=int, default=200)
    parser.add_argument('--bulk-runs', type=int, default=3)
    parser.add_argument('--output', default=RESULTS)
    args = parser.parse_args()
    modes = [m for m in args.modes.split(',') if m]
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
        ensure_files(files_dir, sizes=((BULK_FILE, 100 * MIB),))
        for mode in modes:
            report['modes'][mode] = run_mode(mode, args, files_dir, script)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, 'w') as f:
        json.dump(report, f, indent=2)
    print()
    print(table(report))
    print('\nwritten to %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
