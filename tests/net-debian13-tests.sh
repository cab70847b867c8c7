#!/bin/bash
# tests/net-debian13-tests.sh - the network suite (tests/net-tests.sh)
# again, with Debian 13's pasta and slirp4netns in front of the host's on
# PATH: what a user of Debian 13 runs the sandbox with.
#
#   SANDBOX=./sandbox ROOTFS=DIR bash tests/net-debian13-tests.sh
#
# The helpers come from tests/debian13-net.sh, which root runs once per
# machine (tests/check.sh does) into $SANDBOX_DEBIAN13_NET, else
# /var/tmp/sandbox-debian13-net; without them the suite is one skip that
# says so. Each test name is the network suite's, marked "Debian 13".

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
DIR=${SANDBOX_DEBIAN13_NET:-/var/tmp/sandbox-debian13-net}

if [[ ! -f $DIR/.done || ! -x $DIR/bin/pasta || ! -x $DIR/bin/slirp4netns ]]; then
	echo "ok - Debian 13's network helpers # SKIP not fetched: as root, bash tests/debian13-net.sh"
	echo "# net-debian13-tests: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
echo "# Debian 13's helpers, from $DIR:"
sed 's/^/#   /' "$DIR/versions"
for h in pasta slirp4netns; do
	if [[ $(PATH=$DIR/bin:$PATH command -v "$h") != "$DIR/bin/$h" ]]; then
		echo "not ok - Debian 13's $h comes first on PATH"
		exit 1
	fi
done
set -o pipefail
PATH=$DIR/bin:$PATH bash tests/net-tests.sh |
	sed -u -e 's/^\(not ok\|ok\) - /\1 - Debian 13: /' -e 's/^# net-tests: /# net-debian13-tests: /'
