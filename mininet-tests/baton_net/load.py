"""Client load that runs while a test does something to the network: a loop
of new connections, and rate-limited downloads checked byte for byte."""

import contextlib
import hashlib
import os
import subprocess
import time

from .topo import VIP


class LoopLines(list):
    """The lines of a client loop, plus for each one when its request started
       (ms after the loop began), curl's exit code and error message, so that
       a failure says what happened and when."""

    def __init__(self):
        super().__init__()
        self.started_ms = time.time() * 1000
        self.details = []
        self.marks = []

    def mark(self, event):
        "Notes when something the test did happened, for failures() to show."
        self.marks.append('%s at %.0f ms' % (event, time.time() * 1000 -
                                             self.started_ms))

    def failures(self):
        """'at MS ms: curl exit N (message)' for every request that failed,
           after the marks."""
        return self.marks + [
            'at %s ms: curl exit %s (%s)' % d
            for line, d in zip(self, self.details) if line[0] != '200']


@contextlib.contextmanager
def client_loop(bn, client='c2', max_time=10, timing=False):
    """New connections to the VIP, one after another, until the block ends;
       yields a LoopLines that then holds one 'status server' line per request
       (status 000: no answer within max_time seconds); with timing, lines
       are 'status time-to-first-byte time-connected server' (a connection
       time of 0: the handshake never completed)."""
    out = os.path.join(bn.run_dir, 'loop-%s-%d.txt' % (client, time.time()))
    stop = out + '.stop'
    fields = '%%{http_code} %%{time_starttransfer} %%{time_connect} ' \
        '%%header{x-served-by}' if timing \
        else '%%{http_code} %%header{x-served-by}'
    # Each line: start time (ms), curl's exit code | the fields | its error.
    script = ('i=0; while [ ! -e %s ]; do t=$(date +%%s%%3N); '
              'curl -s -o /dev/null -m %d '
              '-w "$t %%{exitcode} | ' + fields + ' | %%{errormsg}\\n" '
              'http://%s/loop/$i; i=$((i+1)); done') % (stop, max_time, VIP)
    with open(out, 'w') as f:
        proc = bn.host(client).popen(['sh', '-c', script], stdout=f,
                                     stderr=subprocess.DEVNULL)
    lines = LoopLines()
    try:
        yield lines
    finally:
        open(stop, 'w').close()
        try:
            proc.wait(timeout=max_time + 20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with open(out) as f:
            for raw in f:
                parts = raw.rstrip('\n').split(' | ')
                if len(parts) != 3:
                    continue
                at, code = parts[0].split()
                lines.append(parts[1].split())
                lines.details.append(('%.0f' % (int(at) - lines.started_ms), code,
                                      parts[2].strip()))


def loop_report(bn, lines):
    """What a failed loop assertion shows: the failed requests with the test's
       marks, and the controller's counters that are not zero."""
    try:
        counters = bn.rest_get('stats')['counters']
        counters = {k: v for k, v in sorted(counters.items()) if v}
    except Exception as e:  # the report must not hide the assertion
        counters = 'stats unavailable: %s' % e
    return '%d requests; %s; controller counters: %s' % (
        len(lines), lines.failures(), counters)


def syn_flood(bn, client, seconds, while_flooding=None):
    """A SYN flood to the VIP's port 80 from `client` (hping3 --flood, random
       source addresses) for `seconds`; calls while_flooding() twice a second."""
    proc = bn.host(client).popen(
        ['hping3', '--flood', '--rand-source', '-S', '-p', '80', VIP],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if while_flooding:
                while_flooding()
            time.sleep(0.5)
    finally:
        proc.kill()
        proc.wait()


def ttfb_percentiles(lines, *ps):
    "Time to first byte (ms) at the given percentiles, of a timing loop."
    times = sorted(float(line[1]) * 1000 for line in lines if line[0] == '200')
    if not times:
        return [None for _ in ps]
    return [times[min(len(times) - 1, int(len(times) * p / 100))] for p in ps]


def assert_all_answered(lines):
    assert len(lines) >= 5, 'the loop hardly ran: %s' % lines
    bad = [line for line in lines if line[0] != '200']
    assert not bad, '%d of %d loop requests failed: %s' % (
        len(bad), len(lines), lines.failures()[:10])


class Download:
    """One curl download of a served file, to a file in the run directory, at
       a rate that the client keeps by reading slowly (curl's --limit-rate:
       an average over seconds, which can burst far above it) or that the
       server keeps by sending slowly (nginx's limit_rate: exact)."""

    def __init__(self, bn, client, served, rate, paced_by='client'):
        assert paced_by in ('client', 'server'), paced_by
        self.served = served
        self.client = client
        self.target = os.path.join(bn.run_dir, 'download-%s-%d.bin' % (
            client, time.monotonic_ns()))
        if paced_by == 'client':
            pacing, path = ['--limit-rate', rate], served.path
        else:
            pacing, path = [], '%s?rate=%s' % (served.path, rate)
        self.proc = bn.host(client).popen(
            ['curl', '-s'] + pacing + ['-o', self.target, '-w',
             '%{http_code} %header{x-served-by}', bn.url(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.status = self.served_by = None

    def running(self):
        return self.proc.poll() is None

    def finish(self, timeout):
        "Waits for the end; returns None if intact, else what is wrong."
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return 'not done within %d s' % timeout
        fields = out.decode(errors='replace').split()
        self.status = fields[0] if fields else '000'
        self.served_by = fields[1] if len(fields) > 1 else None
        if self.status != '200':
            return 'HTTP %s (curl exit %d, %s)' % (
                self.status, self.proc.returncode, err.decode(errors='replace').strip())
        size = os.path.getsize(self.target) if os.path.exists(self.target) else 0
        if size != self.served.size:
            return '%d of %d bytes' % (size, self.served.size)
        digest = hashlib.sha256()
        with open(self.target, 'rb') as got:
            for block in iter(lambda: got.read(1 << 20), b''):
                digest.update(block)
        if digest.hexdigest() != self.served.sha256:
            return 'corrupted (sha256 differs)'
        return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def remove(self):
        self.kill()
        if os.path.exists(self.target):
            os.remove(self.target)


@contextlib.contextmanager
def downloads(bn, count, served, rate, paced_by='client'):
    "count Downloads from the clients in turn; always killed and removed."
    started = [Download(bn, bn.client_names[i % len(bn.client_names)], served,
                        rate, paced_by) for i in range(count)]
    try:
        yield started
    finally:
        for d in started:
            d.remove()
