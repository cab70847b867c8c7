#!/bin/bash
# tests/net-tests.sh - userspace networking: --net pasta|slirp4netns|auto,
# -p/--publish, --allow-host-loopback, --net-allow, --dns, the generated
# /etc/resolv.conf and /etc/hosts, and that the helper ends with the
# sandbox. Each behaviour is checked with both helpers.
#
#   SANDBOX=./sandbox ROOTFS=DIR bash tests/net-tests.sh
#
# ROOTFS is a busybox tree (tests/mkrootfs.sh; one is made when unset).
# Needs python3, pasta (package passt), slirp4netns, nft (package
# nftables, to list the rules) and /dev/net/tun usable
# (tests/setup-host.sh installs and opens them).
#
# Every server is one this suite starts, on the host's loopback or inside
# the sandbox, and every client connects to those only: the host's
# 127.0.0.1, the sandbox's gateway 10.0.2.2 (which is the host's loopback)
# or the sandbox's own ports. Name resolution that must fail or must find
# a test name runs with its own /etc/hosts and a resolv.conf that points
# at the loopback (an outer mount namespace), so no query leaves either.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
# shellcheck disable=SC2034 # read by tests/lib.sh
T_SUITE=net-tests
# shellcheck source=tests/lib.sh
. tests/lib.sh

SANDBOX=${SANDBOX:-$REPO/sandbox}
PY=/usr/bin/python3
TOOL=$REPO/tests/net-tool.py
# inside the sandbox (whose /tmp is its own) the tool is bound here
STOOL=/tmp/net-tool.py
HELPERS=(pasta slirp4netns)

if [[ -z ${ROOTFS:-} ]]; then
	ROOTFS=$T_TMP/rootfs
	bash tests/mkrootfs.sh "$ROOTFS" >/dev/null || {
		echo "Bail out! tests/mkrootfs.sh $ROOTFS failed"
		exit 2
	}
fi

# The sandbox over the host's root, with the tool bound in.
SB=("$SANDBOX" --ro-bind "$TOOL" "$STOOL")

# host_server tcp|udp NAME: a server on the host's 127.0.0.1 with a free
# port; sets PORT_<NAME>.
host_server() {
	local proto=$1 name=$2 out=$T_TMP/server-$2.out
	"$PY" "$TOOL" "serve-$proto" 127.0.0.1 0 >"$out" 2>&1 &
	track_pid $!
	if ! poll "$T_WAIT" grep -q '^listening ' "$out"; then
		echo "Bail out! the $proto test server did not start: $(cat "$out")"
		exit 2
	fi
	printf -v "PORT_$name" '%s' "$(awk '{ print $2; exit }' "$out")"
}

# free_port: a port no one listens on, on the host's loopback (tcp and udp).
free_port() {
	"$PY" -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}

# helper_pid: the helper's pid from a -v log in ERR ("started" without
# --publish, "is ready" with it).
helper_pid() { grep -oE '(is ready|started) \(pid [0-9]+\)' <<<"$1" | grep -oE '[0-9]+'; }

# gone PID: the process has ended (no longer there, or a zombie waiting for
# whoever reaps orphans).
gone() {
	[[ ! -e /proc/$1 ]] && return 0
	[[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# quick LINE: "refused ERRNO SECONDS": an answer (a reset, an ICMP
# error), not the client's timeout (net-tool.py prints TimeoutError then)
# or the kernel's own (ETIMEDOUT). The seconds are not compared: on a busy
# machine the answer itself may take a while.
quick() {
	awk '$1 == "refused" && $2 ~ /^E[A-Z]+$/ && $2 != "ETIMEDOUT" { ok = 1 } END { exit !ok }' <<<"$1"
}

# nft_chain SANDBOX-COMMAND...: the sandbox's egress chain, listed from
# outside (with --net-allow the command may not hold CAP_NET_ADMIN): nsenter
# joins the user and network namespaces of the running command, which is
# dumpable where the sandbox's pid 1 is not.  Callers give the sandbox
# --uid 0: where the map is a single id with setgroups denied, nsenter
# keeps our own uid, which is root in there, so nft keeps its
# capabilities across its execve.
nft_chain() {
	local info=$T_TMP/nft-info pid='' cmd='' sbpid
	: >"$info"
	"$@" --info-fd 3 -- sleep 3600 3>"$info" </dev/null >/dev/null 2>&1 &
	sbpid=$!
	payload_running() {
		pid=$(grep -oE '"child-pid": *[0-9]+' "$info" | grep -oE '[0-9]+$') &&
			cmd=$(pgrep -P "$pid" -x sleep)
	}
	if poll "$T_WAIT" payload_running; then
		run nsenter -t "$cmd" -U -n nft list chain ip sandbox output
		# nsenter becomes uid 0 there and sets its groups, which a namespace
		# under an outer "setgroups deny" (unshare --map-root-user) refuses;
		# there our own uid is the sandbox's 0 already: keep it
		((RC == 0)) || run nsenter -t "$cmd" -U -n --preserve-credentials \
			nft list chain ip sandbox output
	else
		RC=99 OUT='' ERR="the sandbox did not start: $*"
	fi
	kill "$sbpid" 2>/dev/null
	wait "$sbpid" 2>/dev/null
}

# finish PID: wait for the background sandbox PID and set $? to its
# status; one that has not ended $T_WAIT s on (a server still waiting for a
# datagram that never came) is killed, so a failure cannot hang the suite.
finish() {
	poll "$T_WAIT" gone "$1" || kill -9 "$1" 2>/dev/null
	wait "$1"
}

# "${WITH_NAMES[@]}" CMD...: CMD in an outer mount namespace whose /etc/hosts names
# gw.sandbox-test 10.0.2.2 and whose resolver is 127.0.0.1 (refused at once).
printf '127.0.0.1\tlocalhost\n10.0.2.2\tgw.sandbox-test\n' >"$T_TMP/hosts"
printf 'nameserver 127.0.0.1\n' >"$T_TMP/resolv.conf"
chmod 0755 "$T_TMP"
chmod 0644 "$T_TMP/hosts" "$T_TMP/resolv.conf"
WITH_NAMES=(unshare --user --map-root-user --mount sh -c
	'mount --bind "$0/hosts" /etc/hosts && mount --bind "$0/resolv.conf" /etc/resolv.conf &&
	 exec "$@"' "$T_TMP")

host_server tcp A
host_server tcp B
host_server udp U

for H in "${HELPERS[@]}"; do
	t "$H: eth0 has 10.0.2.100/24, mtu 65520 and the default route when COMMAND starts"
	run "${SB[@]}" --net "$H" -- sh -c 'ip -4 -o addr show dev eth0; cat /sys/class/net/eth0/mtu; ip -4 route show default'
	expect_status 0
	expect_match "address" 'inet 10\.0\.2\.100/24' "$OUT"
	expect_match "mtu" '^65520$' "$OUT"
	expect_match "default route" '^default via 10\.0\.2\.2 dev eth0' "$OUT"
	# the sandbox made eth0, a persistent tap (IFF_PERSIST, 0x800) that the
	# helper attached to: the helper's exit then does not wait for the
	# kernel to unregister it
	run "${SB[@]}" --net "$H" -- cat /sys/class/net/eth0/tun_flags
	expect_true "eth0 is a persistent tap ($OUT)" bash -c '(( ($1 & 0x800) && ($1 & 0x2) ))' _ "$OUT"

	# COMMAND starts once the helper has attached to eth0 and configured
	# it, not once the helper is ready: what it sends first waits in the
	# tap's queue and is not lost (UDP is not sent again), nor held by a
	# neighbour probe the kernel repeats only after a second
	t "$H: a datagram sent as COMMAND starts is answered at once"
	run "${SB[@]}" --net "$H" --allow-host-loopback -- bash -c \
		'exec 3<>/dev/udp/10.0.2.2/'"$PORT_U"'; printf ping >&3; read -r -t 0.9 -N 9 r <&3; echo "$r"'
	expect_status 0
	expect_eq "the echo" "echo:ping" "$OUT"

	t "$H: a helper that fails at start: exit 125 in its words, COMMAND never runs"
	mkdir -p "$T_TMP/fake-$H"
	printf '#!/bin/sh\necho "fake %s: cannot start, on purpose" >&2\nexit 3\n' "$H" \
		>"$T_TMP/fake-$H/$H"
	chmod 0755 "$T_TMP/fake-$H/$H"
	PATH=$T_TMP/fake-$H:$PATH run "${SB[@]}" --net "$H" -- echo COMMAND RAN
	expect_status 125
	expect_match "the failure" "^sandbox: --net $H: $H exited with status 3 while the sandbox started:\$" "$ERR"
	expect_match "its words" "^  fake $H: cannot start, on purpose\$" "$ERR"
	expect_eq "COMMAND did not run" "" "$OUT"

	t "$H: host loopback service reachable with --allow-host-loopback, as host.sandbox.internal"
	run "${SB[@]}" --net "$H" --allow-host-loopback -- "$PY" "$STOOL" tcp host.sandbox.internal "$PORT_A"
	expect_status 0
	expect_eq "answer" "connected hello $PORT_A" "$OUT"
	run "${SB[@]}" --net "$H" --allow-host-loopback -- "$PY" "$STOOL" udp 10.0.2.2 "$PORT_U"
	expect_eq "udp answer" "reply echo:ping" "$OUT"

	t "$H: host loopback refused at once without --allow-host-loopback"
	run "${SB[@]}" --net "$H" -- "$PY" "$STOOL" tcp 10.0.2.2 "$PORT_A"
	expect_status 1
	expect_true "refused, not dropped: $OUT" quick "$OUT"
	run "${SB[@]}" --net "$H" -- "$PY" "$STOOL" udp 10.0.2.2 "$PORT_U"
	expect_status 1
	expect_true "udp refused, not dropped: $OUT" quick "$OUT"

	t "$H: tcp publish (a port below 1024 inside)"
	hp=$(free_port)
	out=$T_TMP/publish-tcp-$H.out
	: >"$out"
	"${SB[@]}" --net "$H" -p "$hp:80" -- "$PY" "$STOOL" serve-tcp 0.0.0.0 80 --once >"$out" 2>&1 &
	pid=$!
	if poll "$T_WAIT" grep -q '^listening' "$out"; then
		run "$PY" "$TOOL" fetch-tcp 127.0.0.1 "$hp" "$T_WAIT"
		expect_eq "answer through 127.0.0.1:$hp" "connected hello 80" "$OUT"
	else
		fail "the sandbox's server did not start: $(cat "$out")"
	fi
	finish "$pid"
	expect_status 0 "$?"

	t "$H: udp publish, another port inside; host loopback still refused"
	hp=$(free_port)
	out=$T_TMP/publish-udp-$H.out
	: >"$out"
	# (slirp4netns answers UDP forwards through host loopback, so it is
	# left to the egress rules to refuse the sandbox's own connections)
	"${SB[@]}" --net "$H" --publish "127.0.0.1:$hp:5353/udp" -- sh -c \
		"$PY $STOOL tcp 10.0.2.2 $PORT_A; $PY $STOOL udp 10.0.2.2 $PORT_U;
		 exec $PY $STOOL serve-udp 0.0.0.0 5353 --once" >"$out" 2>&1 &
	pid=$!
	if poll "$T_WAIT" grep -q '^listening' "$out"; then
		run "$PY" "$TOOL" fetch-udp 127.0.0.1 "$hp" "$T_WAIT"
		expect_eq "answer through 127.0.0.1:$hp/udp" "reply echo:ping" "$OUT"
		expect_true "tcp to the host's loopback refused, not dropped: $(cat "$out")" \
			quick "$(sed -n 1p "$out")"
		expect_true "udp to the host's loopback refused, not dropped: $(cat "$out")" \
			quick "$(sed -n 2p "$out")"
	else
		fail "the sandbox's server did not start: $(cat "$out")"
	fi
	finish "$pid"
	expect_status 0 "$?"

	t "$H: udp publish, the same port inside"
	hp=$(free_port)
	out=$T_TMP/publish-udp2-$H.out
	: >"$out"
	"${SB[@]}" --net "$H" -p "$hp:$hp/udp" -- "$PY" "$STOOL" serve-udp 0.0.0.0 "$hp" --once >"$out" 2>&1 &
	pid=$!
	if poll "$T_WAIT" grep -q '^listening' "$out"; then
		run "$PY" "$TOOL" fetch-udp 127.0.0.1 "$hp" "$T_WAIT"
		expect_eq "answer" "reply echo:ping" "$OUT"
	else
		fail "the sandbox's server did not start: $(cat "$out")"
	fi
	finish "$pid"
	expect_status 0 "$?"

	t "$H: --net-allow lets one port through and refuses another on the same host at once"
	run "${SB[@]}" --net "$H" --allow-host-loopback --net-allow "10.0.2.2:$PORT_A" -- sh -c \
		"$PY $STOOL tcp 10.0.2.2 $PORT_A; $PY $STOOL tcp 10.0.2.2 $PORT_B; $PY $STOOL udp 10.0.2.2 $PORT_U"
	expect_match "allowed port" "^connected hello $PORT_A\$" "$OUT"
	expect_true "other tcp port refused, not dropped: $OUT" quick "$(sed -n 2p <<<"$OUT")"
	expect_true "udp to an unlisted port refused, not dropped: $OUT" quick "$(sed -n 3p <<<"$OUT")"

	t "$H: --net-allow with a name, resolved once at start"
	run "${WITH_NAMES[@]}" "$SANDBOX" --ro-bind "$TOOL" "$STOOL" --net "$H" --allow-host-loopback \
		--net-allow "gw.sandbox-test:$PORT_B" -- sh -c \
		"$PY $STOOL tcp 10.0.2.2 $PORT_B; $PY $STOOL tcp 10.0.2.2 $PORT_A"
	expect_match "the name's port" "^connected hello $PORT_B\$" "$OUT"
	expect_true "another port refused, not dropped: $OUT" quick "$(sed -n 2p <<<"$OUT")"

	t "$H: --net-allow rules in the sandbox's namespace: DNS allowed only for names"
	nft_chain "${SB[@]}" --uid 0 --net "$H" --net-allow 10.0.2.2:1
	expect_status 0
	expect_no_match "no DNS without names" 'dport 53' "$OUT"
	expect_match "the rest rejected" 'reject with tcp reset' "$OUT"
	nft_chain "${WITH_NAMES[@]}" "$SANDBOX" --uid 0 --net "$H" --net-allow gw.sandbox-test \
		--dns 192.0.2.53
	expect_status 0
	expect_match "DNS to --dns allowed with a name" 'ip daddr 192\.0\.2\.53 .*dport 53 accept' "$OUT"

	t "$H: /etc/resolv.conf and /etc/hosts generated, the rootfs untouched"
	before=$(cd "$ROOTFS" && find . -path ./proc -prune -o -printf '%p %s %T@ %m\n' | sort)
	run "$SANDBOX" --rootfs "$ROOTFS" --net "$H" --hostname box --allow-host-loopback -- \
		cat /etc/resolv.conf /etc/hosts
	expect_status 0
	expect_match "resolv.conf" '^nameserver 10\.0\.2\.3$' "$OUT"
	expect_match "hosts: the sandbox" '^10\.0\.2\.100[[:space:]]+box$' "$OUT"
	expect_match "hosts: the host's loopback" '^10\.0\.2\.2[[:space:]]+host\.sandbox\.internal$' "$OUT"
	expect_match "hosts: localhost" '^127\.0\.0\.1[[:space:]]+localhost$' "$OUT"
	run "$SANDBOX" --rootfs "$ROOTFS" --net "$H" --dns 192.0.2.53 -- cat /etc/resolv.conf /etc/hosts
	expect_eq "resolv.conf with --dns" "nameserver 192.0.2.53" "$(head -n 1 <<<"$OUT")"
	expect_no_match "no host.sandbox.internal without --allow-host-loopback" 'host\.sandbox' "$OUT"
	run "${SB[@]}" --net "$H" -- sh -c 'grep -c . /etc/resolv.conf; touch /etc/resolv.conf'
	expect_eq "over the host's root too" "1" "$(head -n 1 <<<"$OUT")"
	expect_ne "read-only" 0 "$RC"
	after=$(cd "$ROOTFS" && find . -path ./proc -prune -o -printf '%p %s %T@ %m\n' | sort)
	expect_eq "the rootfs after the runs" "$before" "$after"

	# (with a private XDG_RUNTIME_DIR and TMPDIR, where slirp4netns's API
	# socket goes: the host's /tmp holds other runs' directories)
	t "$H: the helper ends with the sandbox: normal exit"
	private_dirs
	run env "${PRIV_ENV[@]}" "$SANDBOX" -v --net "$H" -p "$(free_port):8080" -- true
	expect_status 0
	hp=$(helper_pid "$ERR")
	expect_ne "helper pid in -v" "" "$hp"
	[[ -n $hp ]] && expect_true "helper $hp gone" gone "$hp"
	if [[ $H == slirp4netns ]]; then
		expect_match "the API socket in XDG_RUNTIME_DIR" \
			" --api-socket $PRIV/run/sandbox-net\.[^/ ]+/api\.sock " "$ERR"
	fi
	expect_eq "nothing left in XDG_RUNTIME_DIR and TMPDIR" "" "$(private_left)"

	t "$H: the helper ends with the sandbox: COMMAND fails, setup fails"
	run "$SANDBOX" -v --net "$H" -- sh -c 'exit 3'
	expect_status 3
	hp=$(helper_pid "$ERR")
	[[ -n $hp ]] && expect_true "helper $hp gone after exit 3" gone "$hp"
	run "$SANDBOX" -v --net "$H" --chdir /nonexistent/dir -- true
	expect_status 125
	expect_match "the error" 'chdir /nonexistent/dir' "$ERR"
	hp=$(helper_pid "$ERR")
	expect_ne "the helper had started" "" "$hp"
	[[ -n $hp ]] && expect_true "helper $hp gone after a setup error" gone "$hp"

	t "$H: the helper ends with the sandbox: kill -9 of the setup process"
	log=$T_TMP/kill-$H.log
	: >"$log"
	"$SANDBOX" -v --net "$H" -- sleep 3600 2>"$log" &
	setup=$!
	if poll "$T_WAIT" grep -q 'payload started' "$log"; then
		hp=$(helper_pid "$(cat "$log")")
		child=$(grep -oE 'child pid [0-9]+' "$log" | grep -oE '[0-9]+')
		kill -9 "$setup"
		wait "$setup" 2>/dev/null
		expect_true "helper $hp ended" poll "$T_WAIT" gone "$hp"
		expect_true "sandbox child $child ended" poll "$T_WAIT" gone "$child"
	else
		kill -9 "$setup"
		fail "the sandbox did not start: $(cat "$log")"
	fi
done

t "--net auto picks pasta where it is installed"
run "$SANDBOX" -v --net auto -- true
expect_status 0
expect_match "the helper" 'network: pasta ' "$ERR"

t "--net host is the host's network namespace"
run "$SANDBOX" --net host -- readlink /proc/self/ns/net
expect_eq "namespace" "$(readlink /proc/self/ns/net)" "$OUT"
run "$SANDBOX" --net none -- readlink /proc/self/ns/net
expect_ne "--net none: its own" "$(readlink /proc/self/ns/net)" "$OUT"

# expect_setup_error ERE: exit 125, one message matching ERE, no helper
# started (-v shows none).
expect_setup_error() {
	expect_status 125
	expect_match "message" "$1" "$ERR"
	expect_no_match "no helper started" 'starting /' "$ERR"
}

t "bad input: unknown --net mode"
run "$SANDBOX" -v --net tap -- true
expect_setup_error "--net: unknown mode 'tap'"

t "bad input: helper not installed names the package"
run env PATH=/nonexistent "$SANDBOX" -v --net pasta -- true
expect_setup_error 'pasta is not installed \(install the package passt\)'
run env PATH=/nonexistent "$SANDBOX" -v --net slirp4netns -- true
expect_setup_error 'slirp4netns is not installed \(install the package slirp4netns\)'
run env PATH=/nonexistent "$SANDBOX" -v --net auto -- true
expect_setup_error 'neither pasta \(package passt\) nor slirp4netns \(package slirp4netns\)'

t "bad input: malformed port specs"
for spec in 8080 8080:80:90:1 0:80 8080:65536 8080:80/sctp localhost:8080:80 x:y; do
	run "$SANDBOX" -v --net pasta -p "$spec" -- true
	expect_setup_error "--publish $spec: expected \\[HOSTIP:\\]HOSTPORT:PORT"
done

for H in "${HELPERS[@]}"; do
	t "bad input: $H: host port already in use is named"
	run "$SANDBOX" -v --net "$H" -p "$PORT_A:80" -- true
	expect_setup_error "host port 127\\.0\\.0\\.1:$PORT_A/tcp is already in use"
	run "$SANDBOX" -v --net "$H" -p "$PORT_U:53/udp" -- true
	expect_setup_error "host port 127\\.0\\.0\\.1:$PORT_U/udp is already in use"
done

t "bad input: --net-allow name that does not resolve"
run "${WITH_NAMES[@]}" "$SANDBOX" -v --net pasta --net-allow no-such-host.sandbox-test -- true
expect_setup_error '--net-allow no-such-host\.sandbox-test: cannot resolve no-such-host\.sandbox-test'
run "$SANDBOX" -v --net slirp4netns --net-allow 'bad name' -- true
expect_setup_error "--net-allow bad name: expected HOST"

t "bad input: /dev/net/tun missing or not accessible"
run unshare --user --map-root-user --mount sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
	"$SANDBOX" -v --net pasta -- true
expect_setup_error '/dev/net/tun does not exist'
# a file of an unmapped owner on /dev/net/tun: not accessible to the user
# (root, who may open it, sees the helper fail on it instead)
run unshare --user --map-root-user --mount sh -c 'mount --bind /etc/shadow /dev/net/tun && exec "$@"' sh \
	"$SANDBOX" --net slirp4netns -- true
expect_status 125
expect_match "message" '(/dev/net/tun is not accessible|TUN)' "$ERR"

t "bad input: network options with --net none or --net host"
for args in "-p 8080:80" "--allow-host-loopback" "--net-allow 10.0.2.2" "--dns 10.0.2.3"; do
	# shellcheck disable=SC2086 # split on purpose
	run "$SANDBOX" -v $args -- true
	expect_setup_error "needs a network helper: .* \\(the sandbox has --net none\\)"
	# shellcheck disable=SC2086
	run "$SANDBOX" -v --net host $args -- true
	expect_setup_error "needs a network helper: .* \\(the sandbox has --net host\\)"
done

t "bad input: --dns must be an IPv4 address"
run "$SANDBOX" --net pasta --dns resolver.example -- true
expect_setup_error "--dns resolver\\.example: not an IPv4 address"

done_testing
