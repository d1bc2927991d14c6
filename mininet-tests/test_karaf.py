"""The standalone controller inside a real Apache Karaf 4.4: the switch
connects to it, and client requests are handed off through it, in nat mode.

The Karaf is the one the karaf-features build unpacks (apache-karaf-minimal)
with the feature repository it builds; baton_net/tools/karaf-controller
makes a fresh copy in the run directory, with baton-standalone as a boot
feature and io.baton.controller naming the run's config, and runs it in the
foreground in the controller host, as bin/baton-controller would run.
Skipped when karaf-features was not built (scripts/test.sh builds it).

Test plan: requests for different paths reach their pools, a 10 MiB
download arrives intact, and no response byte crosses the controller.
(Uninstalling the feature, with the threads and ports it leaves, is
karaf-features' KarafStandaloneIT.)
"""

import glob
import os

import pytest

from baton_net import Launchers, baton_network

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(os.path.dirname(HERE), 'karaf-features', 'target')
KARAF_CONTROLLER = os.path.join(HERE, 'baton_net', 'tools', 'karaf-controller')


def karaf_built():
    return (glob.glob(os.path.join(TARGET, 'apache-karaf-minimal-*')) and
            os.path.exists(os.path.join(TARGET, 'feature', 'feature.xml')) and
            os.path.isdir(os.path.join(TARGET, 'karaf-it-repository')))


@pytest.fixture(scope='module')
def bn(baton_launchers, shared_files):
    if not karaf_built():
        pytest.skip('karaf-features not built (mvn -B verify builds it)')
    launchers = Launchers((KARAF_CONTROLLER,), baton_launchers.agent)
    with baton_network('nat', launchers=launchers,
                       files_dir=shared_files) as network:
        yield network


def test_requests_are_handed_off_through_the_controller_in_karaf(bn):
    log = open(bn.controller_log, errors='replace').read()
    assert 'karaf' in log.lower() or os.path.isdir(
        os.path.join(bn.run_dir, 'karaf')), 'not the Karaf launcher'
    for path in ('/index.html', '/api/users', '/static/a.css'):
        expected = bn.expected_servers(path)
        for i in range(4):
            r = bn.curl(bn.client_names[i % 2], path)
            assert r.status == 200, r.describe()
            assert r.served_by in expected, \
                '%s served by %s, expected one of %s' % (path, r.served_by,
                                                         expected)
    served = bn.files['10m.bin']
    r = bn.curl('c1', served.path, timeout=120)
    assert r.ok and r.sha256 == served.sha256, r.describe()
    stats = bn.rest_get('stats')
    assert stats['handoffs']['ok'] >= 13
    assert stats['serverToClientPayloadBytes'] == 0, \
        'response bytes crossed the controller'

