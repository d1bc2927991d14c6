"""HTTP requests from inside a Mininet host, answered as values.

curl does the work; its `-w` template is a JSON object per transfer (curl's
own %{json} plus the X-Served-By header), so nothing is scraped with regular
expressions.  Bodies go to files in the run directory (the hosts share the
file system) and are hashed here.
"""

import hashlib
import json
import os
import subprocess
import uuid
from dataclasses import dataclass

# One line of JSON per transfer: X-Served-By is a bare token (a host name),
# so it can sit inside a JSON string as it is.
WRITE_OUT = ('{"served_by":"%header{x-served-by}",'
             '"connection":"%header{connection}","curl":%{json}}\\n')

SMALL_BODY = 64 * 1024


@dataclass(frozen=True)
class HttpResult:
    """One transfer.  status is 0 when no response arrived (see error)."""
    url: str
    status: int
    served_by: str
    size: int
    sha256: str
    body: bytes          # only for bodies up to SMALL_BODY, else b''
    time_total: float
    ttfb: float          # curl's time_starttransfer, seconds
    num_connects: int
    local_port: int
    error: str           # curl's errormsg, '' when it worked
    headers: dict        # lower-case name -> value (single requests only)

    @property
    def text(self):
        return self.body.decode('utf-8', 'replace')

    @property
    def ok(self):
        return self.status == 200 and not self.error

    def describe(self):
        "A line for assertion messages."
        return ('%s -> status %s, served by %r, %d bytes, %.1f ms, '
                'client port %d%s' %
                (self.url, self.status, self.served_by, self.size,
                 self.time_total * 1000, self.local_port,
                 ', error: %s' % self.error if self.error else ''))


def parse_headers(raw):
    """Headers of the last response in a curl -D dump (after any 100
       Continue), as {lower-case name: value}."""
    blocks = [b for b in raw.replace('\r\n', '\n').split('\n\n') if b.strip()]
    if not blocks:
        return {}
    headers = {}
    for line in blocks[-1].split('\n')[1:]:
        name, sep, value = line.partition(':')
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


def _digest(path):
    digest = hashlib.sha256()
    size = 0
    body = b''
    with open(path, 'rb') as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            if size < SMALL_BODY:
                body += block[:SMALL_BODY - size]
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest(), body if size <= SMALL_BODY else b''


def _result(line, body_file=None, headers=None):
    data = json.loads(line)
    info = data['curl']
    size, sha, body = 0, hashlib.sha256(b'').hexdigest(), b''
    if body_file and os.path.exists(body_file):
        size, sha, body = _digest(body_file)
        os.unlink(body_file)
    return HttpResult(
        url=info.get('url_effective') or info.get('url') or '',
        status=int(info.get('http_code') or 0),
        served_by=data['served_by'],
        size=size if body_file else int(info.get('size_download') or 0),
        sha256=sha, body=body,
        time_total=float(info.get('time_total') or 0),
        ttfb=float(info.get('time_starttransfer') or 0),
        num_connects=int(info.get('num_connects') or 0),
        local_port=int(info.get('local_port') or 0),
        error=info.get('errormsg') or '',
        headers=headers or {})


class Curl:
    """Runs curl in a host.  scratch: a directory for bodies and headers."""

    def __init__(self, scratch):
        self.scratch = scratch
        os.makedirs(scratch, exist_ok=True)

    def _path(self, suffix):
        return os.path.join(self.scratch, uuid.uuid4().hex + suffix)

    def _run(self, host, argv, timeout):
        proc = host.popen(['curl'] + argv, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError('curl in %s did not finish within %s s: %s'
                                 % (host.name, timeout, ' '.join(argv)[:300]))
        return out.decode(), err.decode()

    def get(self, host, url, headers=(), data_file=None, method=None,
            timeout=15, max_time=None, extra=()):
        """One request; data_file: a file to send as the body (POST)."""
        body, dump = self._path('.body'), self._path('.headers')
        argv = ['-s', '-o', body, '-D', dump, '-w', WRITE_OUT,
                '--max-time', str(max_time or timeout)]
        for h in headers:
            argv += ['-H', h]
        if data_file:
            argv += ['--data-binary', '@' + data_file,
                     '-H', 'Content-Type: application/octet-stream']
        if method:
            argv += ['-X', method]
        argv += list(extra) + [url]
        out, err = self._run(host, argv, timeout + 5)
        raw = ''
        if os.path.exists(dump):
            with open(dump, errors='replace') as f:
                raw = f.read()
            os.unlink(dump)
        lines = out.strip().splitlines()
        assert lines, 'curl printed nothing for %s (stderr: %s)' % (url, err)
        return _result(lines[-1], body, parse_headers(raw))

    def get_many(self, host, urls, parallel=0, headers=(), timeout=120,
                 max_time=None, rate=0):
        """Several URLs in one curl: sequentially on one kept-alive
           connection, or with parallel=N over up to N connections at once;
           with rate=R, at most R transfers start per second (curl --rate),
           else each starts when the one before ends.
           Bodies are counted, not kept."""
        argv = ['-s', '-w', WRITE_OUT, '--max-time', str(max_time or timeout)]
        if rate:
            argv += ['--rate', '%d/s' % rate]
        if parallel:
            argv += ['--parallel', '--parallel-immediate',
                     '--parallel-max', str(parallel)]
        for h in headers:
            argv += ['-H', h]
        for url in urls:
            argv += ['-o', '/dev/null', url]
        out, err = self._run(host, argv, timeout + 5)
        results = [_result(line) for line in out.strip().splitlines()]
        assert len(results) == len(urls), \
            'curl reported %d of %d transfers (stderr: %s)' % (
                len(results), len(urls), err[-500:])
        return results
