"""Processes the harness starts inside Mininet hosts, and the clean-up of
what a killed run left behind.

Everything is stopped by process id, never by name: other Mininet or nginx
processes on the machine are not ours to kill.  That is also why the harness
does not call `mn -c` (mininet.clean.cleanup): it runs `killall` and
`pkill -f` over the whole machine, deletes every OVS bridge and removes
/tmp/*.log.  Instead, the harness records what it starts (process ids with
their start times, bridge and interface names) in a state file, and the next
run removes exactly those if a killed run could not.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

STATE_FILE = '/run/baton-net/state.json'


def _stat(pid):
    "Fields of /proc/PID/stat after the command name, or None."
    try:
        with open('/proc/%d/stat' % pid) as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces.
    return data[data.rindex(')') + 2:].split()


def start_time(pid):
    "The kernel's start time of a process (ticks since boot), or None."
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def alive(pid, started=None):
    "Is PID running (and, if given, the same process that started then)?"
    fields = _stat(pid)
    if fields is None or fields[0] == 'Z':
        return False
    return started is None or int(fields[19]) == started


def descendants(pid):
    "Process ids of all descendants of PID."
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid, started=None, grace=3.0):
    """SIGTERM to PID, its process group and its descendants; SIGKILL to
       whatever is left after `grace` seconds.  A process started with
       Node.popen leads its own session and group (mnexec -d), so the group
       is its own, not the harness's."""
    if not alive(pid, started):
        return
    family = [pid] + descendants(pid)
    for p in family:
        _signal(p, signal.SIGTERM)
    _signal_group(pid, signal.SIGTERM)
    deadline = time.time() + grace
    while time.time() < deadline and any(alive(p) for p in family):
        time.sleep(0.05)
    for p in family:
        if alive(p):
            _signal(p, signal.SIGKILL)
    _signal_group(pid, signal.SIGKILL)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _signal_group(pid, sig):
    # Only a group that PID leads: never the harness's own group.
    try:
        if os.getpgid(pid) == pid and pid != os.getpgrp():
            os.killpg(pid, sig)
    except ProcessLookupError:
        pass


@dataclass
class Started:
    name: str
    host: str
    argv: list
    log: str
    popen: subprocess.Popen
    started: int

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return self.popen.poll() is None


@dataclass
class ProcessSet:
    """Processes started in Mininet hosts, by name ('controller', 'nginx-h1',
       'agent-h2', ...), each with its output in a log file."""
    state: 'RunState'
    procs: dict = field(default_factory=dict)

    def start(self, name, host, argv, log, env=None):
        assert name not in self.procs or not self.procs[name].running(), \
            '%s is already running' % name
        with open(log, 'ab') as out:
            popen = host.popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT, env=env)
        proc = Started(name, host.name, list(argv), log, popen,
                       start_time(popen.pid) or 0)
        self.procs[name] = proc
        self.state.add_pid(proc.pid, proc.started, name)
        return proc

    def stop(self, name, grace=3.0):
        "Stops a process and forgets it (so it may be started again)."
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        kill_tree(proc.pid, proc.started, grace)
        try:
            proc.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.state.remove_pid(proc.pid)

    def stop_all(self):
        # Agents and the controller before nginx: nothing relays into a
        # stopped web server.
        for name in sorted(self.procs, key=lambda n: n.startswith('nginx')):
            self.stop(name)


class RunState:
    """The state file: what this run started, so that a later run can remove
       it if this one is killed before it cleans up."""

    def __init__(self, path=STATE_FILE):
        self.path = path
        self.data = {'owner': os.getpid(), 'owner_started': start_time(os.getpid()),
                     'pids': [], 'bridges': [], 'links': [], 'run_dir': None,
                     'ovs_other_config': {}}

    def claim(self, bridges, links):
        """Cleans up after a dead earlier run, refuses to run beside a live
           one, then records this run."""
        previous = self._read()
        if previous:
            if alive(previous['owner'], previous.get('owner_started')):
                raise RuntimeError(
                    'another Baton network is running (harness pid %d, run '
                    'dir %s); stop it first' % (previous['owner'],
                                                previous.get('run_dir')))
            sys.stderr.write('*** Removing what a killed run (harness pid %d) '
                             'left\n' % previous['owner'])
            clean_leftovers(previous)
        # Leftovers of a run that died before it wrote its state file.
        clean_leftovers({'pids': [], 'bridges': bridges, 'links': links})
        self.data.update(bridges=list(bridges), links=list(links))
        self._write()

    def set_ovs_other_config(self, key, value):
        """Sets one of Open vSwitch's global other_config keys for this run,
           recording the value it had, which clean_leftovers puts back."""
        if key not in self.data['ovs_other_config']:
            self.data['ovs_other_config'][key] = ovs_other_config(key)
            self._write()
        subprocess.run(['ovs-vsctl', '--timeout=10', 'set', 'Open_vSwitch',
                        '.', 'other_config:%s=%s' % (key, value)], check=True)

    def set_run_dir(self, run_dir):
        self.data['run_dir'] = run_dir
        self._write()

    def add_pid(self, pid, started, name):
        self.data['pids'].append([pid, started, name])
        self._write()

    def remove_pid(self, pid):
        self.data['pids'] = [p for p in self.data['pids'] if p[0] != pid]
        self._write()

    def release(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def _read(self):
        try:
            with open(self.path) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return None

    def _write(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.data, f)
        os.replace(tmp, self.path)


def ovs_other_config(key):
    "The value of Open vSwitch's global other_config:KEY, or None if unset."
    out = subprocess.run(['ovs-vsctl', '--timeout=10', '--if-exists', 'get',
                          'Open_vSwitch', '.', 'other_config:' + key],
                         capture_output=True, text=True, check=True)
    value = out.stdout.strip()
    return value.strip('"') if value else None


def clean_leftovers(state):
    """Removes exactly what a state record names: its processes (if still the
       same processes), its bridges (OVS or kernel), its interfaces and its run
       directory, and puts back the Open vSwitch settings it changed."""
    for pid, started, _name in state.get('pids', []):
        kill_tree(pid, started, grace=1.0)
    for bridge in state.get('bridges', []):
        subprocess.run(['ovs-vsctl', '--timeout=10', '--if-exists', 'del-br',
                        bridge], check=False)
        if os.path.exists('/sys/class/net/%s/bridge' % bridge):
            # a kernel bridge (the management network) of that name
            subprocess.run(['ip', 'link', 'del', bridge], check=False,
                           stderr=subprocess.DEVNULL)
    existing = set(os.listdir('/sys/class/net'))
    for link in state.get('links', []):
        if link in existing:
            subprocess.run(['ip', 'link', 'del', link], check=False,
                           stderr=subprocess.DEVNULL)
    for key, value in state.get('ovs_other_config', {}).items():
        if value is None:
            cmd = ['remove', 'Open_vSwitch', '.', 'other_config', key]
        else:
            cmd = ['set', 'Open_vSwitch', '.', 'other_config:%s=%s' % (key, value)]
        subprocess.run(['ovs-vsctl', '--timeout=10'] + cmd, check=False)
    if state.get('run_dir'):
        shutil.rmtree(state['run_dir'], ignore_errors=True)
