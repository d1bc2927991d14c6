"""nginx on each server host, and the files it serves.

Mininet hosts share one file system, so each server's nginx gets its own
config, pid, log and temp paths under the run directory.  Every response
carries `X-Served-By: <server>`, so tests learn which server answered from a
header instead of parsing bodies.  Access logs are JSON lines with
$proxy_protocol_addr, so a test can check that the client's real address
reached the server through the agent.
"""

import hashlib
import json
import os
from dataclasses import dataclass

# The agent's upstreams (in each server's own loopback).
PLAIN_UPSTREAM_PORT = 8080
PROXY_PROTOCOL_UPSTREAM_PORT = 8081
# A private server block behind /upload (see the template).
UPLOAD_SINK_PORT = 8082
# What /stall/ waits on: a test may listen there and never answer (a slow
# backend); with nothing there, /stall/ answers at once.
STALL_PORT = 8083

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServedFile:
    name: str
    size: int
    sha256: str

    @property
    def path(self):
        return '/files/' + self.name


@dataclass(frozen=True)
class FileSet:
    "The files under /files/, in one directory shared by every server."
    directory: str
    files: dict          # name -> ServedFile

    def __getitem__(self, name):
        return self.files[name]


DEFAULT_FILES = (('1m.bin', MIB), ('10m.bin', 10 * MIB), ('100m.bin', 100 * MIB))


def ensure_files(directory, sizes=DEFAULT_FILES):
    """Random files of the given sizes in directory, made unless its
       manifest already lists them (so a session can share one set).
       Random bytes, so no compression anywhere can flatter a figure."""
    manifest = os.path.join(directory, 'manifest.json')
    try:
        with open(manifest) as f:
            listed = {n: ServedFile(**v) for n, v in json.load(f).items()}
        if all(n in listed and listed[n].size == size and
               os.path.getsize(os.path.join(directory, n)) == size
               for n, size in sizes):
            return FileSet(directory, listed)
    except (FileNotFoundError, ValueError, TypeError):
        pass
    os.makedirs(directory, exist_ok=True)
    files = {}
    for name, size in sizes:
        digest = hashlib.sha256()
        with open(os.path.join(directory, name), 'wb') as out:
            left = size
            while left:
                block = os.urandom(min(MIB, left))
                digest.update(block)
                out.write(block)
                left -= len(block)
        files[name] = ServedFile(name, size, digest.hexdigest())
    with open(manifest, 'w') as f:
        json.dump({n: vars(v) for n, v in files.items()}, f, indent=1)
    return FileSet(directory, files)


NGINX_CONF = """\
# nginx for {name}, written by baton_net.webserver: do not edit.
user root;                      # workers read the run directory (mode 0700)
worker_processes 1;
daemon off;                     # the harness keeps the master's pid
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    keepalive_requests 10000;

    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    log_format baton escape=json
        '{{"time":"$time_iso8601","remote_addr":"$remote_addr",'
        '"proxy_protocol_addr":"$proxy_protocol_addr",'
        '"server_addr":"$server_addr","server_port":"$server_port",'
        '"method":"$request_method","uri":"$request_uri","status":"$status",'
        '"request_length":"$request_length","bytes_sent":"$bytes_sent",'
        '"connection":"$connection",'
        '"connection_requests":"$connection_requests",'
        '"request_id":"$http_x_request_id"}}';
    access_log {dir}/access.log baton;

    # /files/NAME?rate=500k sends at that rate: the server paces, exactly,
    # where curl's --limit-rate only averages and can burst far above it.
    map $arg_rate $files_rate {{
        default 0;
        "~^[0-9]+[kKmM]?$" $arg_rate;
    }}

    server {{
        listen {ip}:80;                              # direct access
        listen 127.0.0.1:{plain_port};                   # agent upstream
        listen 127.0.0.1:{proxy_port} proxy_protocol;    # agent upstream, PROXY v2
        server_name {name};

        add_header X-Served-By {name} always;

        location / {{
            default_type text/plain;
            return 200 "{name} static\\n";
        }}
        location /api/ {{
            default_type text/plain;
            return 200 "{name} api\\n";
        }}
        location /files/ {{
            alias {files}/;
            limit_rate $files_rate;
        }}
        # nginx-light has no module that answers after reading a body, but
        # proxy_pass reads the whole body before it connects upstream: a 200
        # here means every byte of the body arrived.
        location = /upload {{
            client_max_body_size 64m;
            client_body_buffer_size 16m;
            proxy_pass http://127.0.0.1:{upload_port};
        }}
        # A request this server holds without answering while something
        # listens on the stall port and says nothing; answered at once
        # ("connection refused" becomes the 200 below) when nothing does.
        location /stall/ {{
            proxy_pass http://127.0.0.1:{stall_port};
            proxy_read_timeout 60s;
            proxy_intercept_errors on;
            error_page 502 504 = @stall_answer;
        }}
        location @stall_answer {{
            default_type text/plain;
            return 200 "{name} stall\n";
        }}
    }}

    server {{
        listen 127.0.0.1:{upload_port};
        access_log off;              # the front server block logs the upload
        location / {{
            default_type text/plain;
            return 200 "{name} upload $content_length\\n";
        }}
    }}
}}
"""


@dataclass(frozen=True)
class NginxSite:
    "One server's nginx: where its files are, and how to start it."
    name: str
    ip: str
    dir: str
    files_dir: str

    @property
    def conf(self):
        return os.path.join(self.dir, 'nginx.conf')

    @property
    def access_log(self):
        return os.path.join(self.dir, 'access.log')

    @property
    def error_log(self):
        return os.path.join(self.dir, 'error.log')

    @property
    def stdout_log(self):
        return os.path.join(self.dir, 'stdout.log')

    def write(self):
        for sub in ('tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi',
                    'tmp/scgi'):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        with open(self.conf, 'w') as f:
            f.write(NGINX_CONF.format(
                name=self.name, ip=self.ip, dir=self.dir,
                files=self.files_dir, plain_port=PLAIN_UPSTREAM_PORT,
                proxy_port=PROXY_PROTOCOL_UPSTREAM_PORT,
                upload_port=UPLOAD_SINK_PORT, stall_port=STALL_PORT))

    def argv(self):
        return ['nginx', '-c', self.conf, '-p', self.dir,
                '-e', self.error_log]

    def listen_addresses(self):
        return ['%s:80' % self.ip,
                '127.0.0.1:%d' % PLAIN_UPSTREAM_PORT,
                '127.0.0.1:%d' % PROXY_PROTOCOL_UPSTREAM_PORT,
                '127.0.0.1:%d' % UPLOAD_SINK_PORT]
