"""Running things in Mininet hosts and waiting for them: small helpers
shared by the harness, the tests, the demo and the benchmark."""

import subprocess
import time


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
