#!/usr/bin/python3
"""Baton demo: two clients send requests for different paths to the VIP;
a table shows which server answered each and from which pool.

The network (see baton_net/topo.py): clients c1, c2; servers h1, h2 (pool
`static`) and h3 (pool `api`, for paths under /api/), each with nginx and
baton-agent; the controller in host ctl.  Run as root, after building:

    /usr/bin/python3 mininet-tests/demo.py [--mode nat|dsr] [--keep-logs]

(scripts/demo.sh installs, builds and runs this.)  Exits non-zero if a
request failed or was answered from a pool its path does not map to.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mininet.log import info, setLogLevel  # noqa: E402

from baton_net import MODES, baton_network, pool_for_path  # noqa: E402
from baton_net.config import pool_of_server  # noqa: E402
from baton_net.webserver import ensure_files, MIB  # noqa: E402

REQUESTS = (
    ('c1', '/'),
    ('c2', '/'),
    ('c1', '/index.html'),
    ('c2', '/static/app.js'),
    ('c1', '/api/users'),
    ('c2', '/api/orders/42'),
    ('c1', '/files/1m.bin'),
    ('c2', '/api'),              # no trailing slash: not under /api/
)
COLUMNS = ('client', 'path', 'status', 'server', 'pool', 'expected pool',
           'mode', 'time ms')


def run_mode(mode, files_dir, keep_logs):
    "Sends REQUESTS through Baton in one mode; returns the table's rows."
    rows = []
    with baton_network(mode, files_dir=files_dir, keep_logs=keep_logs) as bn:
        info('*** Sending %d requests to the VIP\n' % len(REQUESTS))
        for client, path in REQUESTS:
            r = bn.curl(client, path, timeout=10)
            served_ip = (bn.address_of(r.served_by)
                         if r.served_by in bn.server_names else None)
            rows.append({
                'client': client, 'path': path, 'status': r.status,
                'server': r.served_by or '-',
                'pool': pool_of_server(bn.config, served_ip) or '-',
                'expected pool': pool_for_path(bn.config, path),
                'mode': mode, 'time ms': '%.1f' % (r.time_total * 1000),
                'error': r.error})
        stats = bn.rest_get('stats')
        rows_summary = ('%s: handoffs ok %s, failed %s; response bytes through '
                        'the controller: %s' % (
                            mode, stats['handoffs']['ok'],
                            stats['handoffs']['failed'],
                            stats['serverToClientPayloadBytes']))
    return rows, rows_summary


def table(rows):
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS]
    line = '  '.join('%-*s' % (w, c) for w, c in zip(widths, COLUMNS))
    out = [line, '  '.join('-' * w for w in widths)]
    for r in rows:
        out.append('  '.join('%-*s' % (w, r[c]) for w, c in zip(widths,
                                                                 COLUMNS)))
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', choices=MODES,
                        help='one mode only (default: nat, then dsr)')
    parser.add_argument('--keep-logs', action='store_true',
                        help='keep each run directory (logs, configs)')
    args = parser.parse_args()
    setLogLevel('info')

    files_dir = tempfile.mkdtemp(prefix='baton-demo-files-')
    rows, summaries = [], []
    try:
        ensure_files(files_dir, sizes=(('1m.bin', MIB),))
        for mode in [args.mode] if args.mode else MODES:
            mode_rows, summary = run_mode(mode, files_dir, args.keep_logs)
            rows += mode_rows
            summaries.append(summary)
    finally:
        shutil.rmtree(files_dir, ignore_errors=True)

    print()
    print(table(rows))
    print()
    for summary in summaries:
        print(summary)
    wrong = [r for r in rows
             if r['status'] != 200 or r['pool'] != r['expected pool']]
    for r in wrong:
        print('FAILED: %s %s -> status %s, pool %s%s' % (
            r['client'], r['path'], r['status'], r['pool'],
            ' (%s)' % r['error'] if r['error'] else ''))
    if not wrong:
        print('All %d requests answered by the pool their path maps to.'
              % len(rows))
    return 1 if wrong else 0


if __name__ == '__main__':
    sys.exit(main())
