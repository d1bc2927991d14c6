#!/usr/bin/python3
"""Sends one HTTP/1.1 request over a raw TCP socket, in pieces, and prints
the response as JSON.  Run inside a Mininet host by the tests:

  raw_http.py HOST PORT PATH [--piece N] [--delay S] [--body-bytes N]
              [--body-piece N] [--proxy-v2 SRC_IP:SRC_PORT] [--local-port N]
              [--read-rate BYTES_PER_S]

--piece/--delay split the request head into N-byte writes with S seconds
between them (TCP_NODELAY on, so each write leaves as its own segment): the
receiver must reassemble a head that spans segments.  --body-piece does the
same for the body (default: one write, which TCP cuts into MSS segments).
--proxy-v2 first sends a PROXY protocol v2 header (as Baton's agent does).
--local-port connects from that port (the response is read until the server
closes, so the server closes first and the port is free again at once).
--read-rate reads the response at that pace, through a small receive buffer,
so that a download lasts size / rate seconds (curl's --limit-rate averages
over seconds and sometimes lets a 10 MiB download through in half a second).
The answer has the response body's sha256.
Standard library only, for /usr/bin/python3.
"""

import argparse
import hashlib
import ipaddress
import json
import socket
import struct
import sys
import time

PROXY_V2_SIGNATURE = b'\r\n\r\n\x00\r\nQUIT\n'


def proxy_v2_header(src, dst):
    "PROXY protocol v2, PROXY command, TCP over IPv4 (spec section 2.2)."
    (src_ip, src_port), (dst_ip, dst_port) = src, dst
    addresses = (ipaddress.IPv4Address(src_ip).packed +
                 ipaddress.IPv4Address(dst_ip).packed +
                 struct.pack('!HH', src_port, dst_port))
    return (PROXY_V2_SIGNATURE + bytes([0x21, 0x11]) +
            struct.pack('!H', len(addresses)) + addresses)


def body_bytes(n):
    "A deterministic body, so the sender can print its hash."
    pattern = bytes(range(256))
    return (pattern * (n // 256 + 1))[:n]


def send_in_pieces(sock, data, piece, delay):
    for start in range(0, len(data), piece or len(data) or 1):
        sock.sendall(data[start:start + (piece or len(data))])
        if delay:
            time.sleep(delay)


def read_response(sock, timeout, rate=0):
    sock.settimeout(timeout)
    chunks = []
    got = 0
    started = time.monotonic()
    while True:
        if rate:
            ahead = got / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        try:
            block = sock.recv(16384 if rate else 65536)
        except socket.timeout:
            break
        if not block:
            break
        chunks.append(block)
        got += len(block)
    data = b''.join(chunks)
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = 0
    if lines and lines[0].startswith('HTTP/'):
        status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(':')
        if sep:
            headers[name.strip().lower()] = value.strip()
    return status, headers, body, len(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('host')
    p.add_argument('port', type=int)
    p.add_argument('path')
    p.add_argument('--piece', type=int, default=0)
    p.add_argument('--delay', type=float, default=0.0)
    p.add_argument('--body-bytes', type=int, default=0)
    p.add_argument('--body-piece', type=int, default=0)
    p.add_argument('--proxy-v2', metavar='SRC_IP:SRC_PORT')
    p.add_argument('--timeout', type=float, default=10.0)
    p.add_argument('--local-port', type=int, default=0)
    p.add_argument('--read-rate', type=int, default=0)
    args = p.parse_args()

    body = body_bytes(args.body_bytes)
    method = 'POST' if args.body_bytes else 'GET'
    head = ('%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: baton-raw-http\r\n'
            'Accept: */*\r\nConnection: close\r\n' % (method, args.path,
                                                     args.host))
    if body:
        head += ('Content-Type: application/octet-stream\r\n'
                 'Content-Length: %d\r\n' % len(body))
    head = head.encode() + b'\r\n'

    source = ('', args.local_port) if args.local_port else None
    sock = socket.socket()
    if args.read_rate:
        # Set before connecting, so the window it announces stays small.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.settimeout(args.timeout)
    if source:
        sock.bind(source)
    sock.connect((args.host, args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.proxy_v2:
        ip, port = args.proxy_v2.rsplit(':', 1)
        sock.sendall(proxy_v2_header((ip, int(port)),
                                     sock.getpeername()[:2]))
    start = time.time()
    send_in_pieces(sock, head, args.piece, args.delay)
    if body:
        send_in_pieces(sock, body, args.body_piece,
                       args.delay if args.body_piece else 0)
    status, headers, response_body, total = read_response(sock, args.timeout,
                                                          args.read_rate)
    sock.close()
    json.dump({'status': status, 'headers': headers,
               'served_by': headers.get('x-served-by', ''),
               'body': response_body[:4096].decode('utf-8', 'replace'),
               'body_bytes': len(response_body),
               'body_sha256': hashlib.sha256(response_body).hexdigest(),
               'response_bytes': total,
               'request_bytes': len(head) + len(body),
               'request_body_sha256': hashlib.sha256(body).hexdigest(),
               'seconds': time.time() - start}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
