"""Fixtures shared by the Mininet tests.

The end-to-end tests need Baton's launchers, bin/baton-controller and
bin/baton-agent at the repository root (or in $BATON_BIN_DIR).  While they
are not there the end-to-end tests are skipped with that reason, unless
--require-baton is given (then they fail).  The harness tests need only
Mininet, Open vSwitch and nginx.
"""

import os
import shutil
import subprocess
import tempfile

import pytest
from mininet.log import setLogLevel

from baton_net import MODES, Launchers, baton_network
from baton_net.webserver import ensure_files


def pytest_addoption(parser):
    group = parser.getgroup('baton')
    group.addoption('--keep-logs', action='store_true',
                    help='keep each network\'s run directory (logs, configs)')
    group.addoption('--require-baton', action='store_true',
                    help='fail, instead of skip, the end-to-end tests when '
                         'bin/baton-controller or bin/baton-agent is missing')


def pytest_configure(config):
    setLogLevel('info')
    if config.getoption('--keep-logs'):
        os.environ['BATON_KEEP_LOGS'] = '1'


@pytest.fixture(scope='session', autouse=True)
def machine_ready():
    "Root, and Open vSwitch running (scripts/setup.sh starts it)."
    if os.geteuid() != 0:
        pytest.skip('Mininet tests must run as root')
    done = subprocess.run(['ovs-vsctl', '--timeout=5', 'show'],
                          capture_output=True, text=True)
    assert done.returncode == 0, (
        'Open vSwitch is not running (run scripts/setup.sh): %s'
        % done.stderr.strip())


@pytest.fixture(scope='session')
def shared_files():
    """The /files/ content (1 MiB and 100 MiB of random bytes), made once per
       session and shared by every network."""
    directory = tempfile.mkdtemp(prefix='baton-files-')
    ensure_files(directory)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope='session')
def baton_launchers(request):
    launchers = Launchers.baton()
    missing = launchers.missing()
    if missing:
        message = 'Baton is not built: %s missing' % ', '.join(missing)
        if request.config.getoption('--require-baton'):
            pytest.fail(message)
        pytest.skip(message)
    return launchers


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that used a network gets the tails of the controller,
       agent and nginx logs in its report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for value in getattr(item, 'funcargs', {}).values():
            if hasattr(value, 'log_tails'):
                report.sections.append(('Baton logs', value.log_tails()))


@pytest.fixture(scope='module', params=MODES)
def bn(request, baton_launchers, shared_files):
    """A Baton network with the default configuration, once per mode (nat,
       dsr), shared by the tests of a module.  A module that needs another
       configuration defines its own bn."""
    with baton_network(request.param, launchers=baton_launchers,
                       files_dir=shared_files) as network:
        yield network
