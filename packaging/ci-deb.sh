#!/bin/bash
# packaging/ci-deb.sh - build the packages and check them the way a user
# gets them, on Debian 12, as root:
#
#   bash packaging/ci-deb.sh        (from anywhere; works in the repository)
#
#   - the build tools and the Build-Depends of packaging/debian/control
#     are installed (tests/setup-host.sh installs them; .ci/run runs it
#     first, outside any time limit; run here, it is a no-op then);
#   - make deb: the .deb, its -dbgsym, .buildinfo and .changes in dist/,
#     the tree itself left as it was; the package's fields and files;
#   - lintian on the binary packages and on the source package: no error
#     and no warning (a warning to accept goes into
#     packaging/debian/sandbox.lintian-overrides with its reason);
#   - apt-get install ./dist/*.deb, then the test user (sbtest, created
#     with subordinate ids when missing) runs `sandbox -- true` and the
#     bwrap link; policycoreutils-sandbox would replace it, not sit beside;
#   - apt-get remove, and no file of the packages is left;
#   - make rpm, its files and dependencies, and rpmlint (no error) with
#     packaging/rpm/rpmlint.toml.
#
# Prints tests/lib.sh's lines (ok / not ok / skip, "# ..." comments), the
# time of each slow step as "# time: STEP: N.N s", and its totals last;
# exits 1 when a test failed. Too slow for every `make check`; CI calls it
# on its own. Leaves the packages built in dist/ and not installed.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
# shellcheck disable=SC2034 # read by tests/lib.sh
T_SUITE=ci-deb
# shellcheck source=tests/lib.sh
. tests/lib.sh

export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
exec </dev/null

# What this script needs besides the Build-Depends: the Debian and RPM
# tool chains and linters. rpm brings debugedit (find-debuginfo), which
# needs elfutils' eu-strip and file. tests/setup-host.sh installs them.
PACKAGES=(
	build-essential dpkg-dev debhelper lintian
	rpm rpmlint elfutils file
	pkg-config libcap-dev libseccomp-dev
)
TEST_USER=${SANDBOX_TEST_USER:-sbtest}
SUBID_START=200000
SUBID_COUNT=65536

T_START=$(date +%s%N)

# timed STEP CMD...: run CMD and print how long it took.
timed() {
	local step=$1 t0 status
	shift
	t0=$(date +%s%N)
	"$@"
	status=$?
	printf '# time: %s: %s s\n' "$step" "$(elapsed "$t0")"
	return "$status"
}

# elapsed T0: seconds since T0 (date +%s%N), one decimal.
elapsed() {
	awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

# expect_ran WHAT: the last run succeeded; else fail with its output's end.
expect_ran() {
	if ((RC == 0)); then
		pass
		return 0
	fi
	fail "$1 failed with status $RC" "$(tail -n 40 <<<"$OUT")"
}

# comment TEXT: show TEXT as "# " lines.
comment() {
	[[ -z $1 ]] || printf '# %s\n' "${1//$'\n'/$'\n'# }"
}

# Packages of a list that are not installed.
missing_packages() {
	local -A ok=()
	local pkg status
	while read -r pkg status; do
		[[ $status == ii* ]] && ok[$pkg]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null)
	for pkg in "$@"; do
		[[ -n ${ok[$pkg]:-} ]] || printf '%s\n' "$pkg"
	done
}

# run bash -c "$APT" apt-get ARGS...: apt-get ARGS, reading the package
# lists first when there are none, and again after a failure (stale lists
# name files the archive no longer has).
APT='compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null || apt-get update -q || exit
apt-get "$@" && exit 0
apt-get update -q && apt-get "$@"'

# run "${AS_USER[@]}" CMD...: CMD as the test user, with a clean
# environment (set RUN_CWD=/ too: the tree may be closed to that user).
AS_USER=(runuser -u "$TEST_USER" -- env -i
	HOME="$(getent passwd "$TEST_USER" | cut -d: -f6)"
	USER="$TEST_USER" LOGNAME="$TEST_USER" LANG=C.UTF-8
	PATH=/usr/local/bin:/usr/bin:/bin)

t "packaging/ci-deb.sh runs as root"
if [[ $(id -u) -ne 0 ]]; then
	fail "it installs packages and the test user: run it as root"
	done_testing
fi
pass

# Installing is setup-host.sh's job, with no time limit of ours (apt may
# wait for the dpkg lock, the archive may be slow): not a test's.
t "the build tools and Build-Depends are installed (tests/setup-host.sh)"
mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
if ((${#missing[@]})); then
	comment "missing: ${missing[*]}; running tests/setup-host.sh"
	# shellcheck disable=SC2016 # expanded by that bash
	timed "tests/setup-host.sh" bash -c 'bash tests/setup-host.sh 2>&1 | sed "s/^/# /"; exit "${PIPESTATUS[0]}"'
	mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
fi
expect_eq "packages not installed (tests/setup-host.sh's list lacks them?)" "" "${missing[*]}"
run dpkg-checkbuilddeps packaging/debian/control
expect_status 0
[[ $RC == 0 ]] || comment "add the missing Build-Depends to tests/setup-host.sh: $ERR"

t "the test user $TEST_USER exists, with subordinate ids"
if ! id "$TEST_USER" >/dev/null 2>&1; then
	comment "creating $TEST_USER with the ids $SUBID_START+$SUBID_COUNT (as tests/setup-host.sh does)"
	useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TEST_USER"
fi
for file in /etc/subuid /etc/subgid; do
	if ! grep -Eq "^($TEST_USER|$(id -u "$TEST_USER")):[0-9]+:[0-9]+\$" "$file" 2>/dev/null; then
		printf '%s:%s:%s\n' "$TEST_USER" "$SUBID_START" "$SUBID_COUNT" >>"$file"
		chmod 0644 "$file"
	fi
done
expect_ne "uid of $TEST_USER" "" "$(id -u "$TEST_USER" 2>/dev/null)"
expect_match "/etc/subuid" "^$TEST_USER:" "$(cat /etc/subuid)"
expect_match "/etc/subgid" "^$TEST_USER:" "$(cat /etc/subgid)"

VERSION=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB=dist/sandbox_${VERSION}_$ARCH.deb
DBGSYM=dist/sandbox-dbgsym_${VERSION}_$ARCH.deb
CHANGES=dist/sandbox_${VERSION}_$ARCH.changes

# The tree as git sees it (or as ls does outside a checkout), minus dist/.
tree_state() {
	find . -mindepth 1 -maxdepth 1 ! -name dist -printf '%P\n' | sort
	git status --porcelain 2>/dev/null
}

t "make deb builds the packages into dist/ and leaves the tree as it was"
before=$(tree_state)
T_TIMEOUT=600 timed "make deb" run make deb
expect_ran "make deb"
for f in "$DEB" "$DBGSYM" "$CHANGES" "dist/sandbox_${VERSION}_$ARCH.buildinfo"; do
	expect_true "$f is built" test -s "$f"
done
expect_false "the staging tree dist/sandbox-$VERSION is removed" test -e "dist/sandbox-$VERSION"
expect_eq "the tree (ls -A; git status)" "$before" "$(tree_state)"

t "the package's control fields"
run dpkg-deb -f "$DEB" Package Version Architecture Depends Recommends Conflicts
expect_status 0
expect_match "Version" "^Version: $VERSION\$" "$OUT"
expect_match "Depends uidmap" '^Depends: (.*, )?uidmap(,|$)' "$OUT"
expect_match "Depends fuse-overlayfs" '^Depends: (.*, )?fuse-overlayfs(,|$)' "$OUT"
# ${shlibs:Depends}: a package for every library the binary needs.
expect_match "Depends libc6 (shlibs)" '^Depends: (.*, )?libc6 \(' "$OUT"
expect_match "Depends libcap2 (shlibs)" '^Depends: (.*, )?libcap2 \(' "$OUT"
expect_match "Recommends" '^Recommends: passt \| slirp4netns, libsystemd0$' "$OUT"
expect_match "Conflicts" '^Conflicts: (.*, )?policycoreutils-sandbox(,|$)' "$OUT"
comment "$OUT"

t "the package holds exactly the expected files"
run bash -c "dpkg-deb --fsys-tarfile '$DEB' | tar -tvf -"
expect_status 0
expect_eq "files and links" './usr/bin/sandbox
./usr/libexec/sandbox/bwrap -> ../../bin/sandbox
./usr/share/bash-completion/completions/sandbox
./usr/share/doc/sandbox/README.md.gz
./usr/share/doc/sandbox/changelog.gz
./usr/share/doc/sandbox/copyright
./usr/share/fish/vendor_completions.d/sandbox.fish
./usr/share/man/man1/sandbox.1.gz
./usr/share/sandbox/profiles/browser.profile
./usr/share/sandbox/profiles/cli-tool.profile
./usr/share/sandbox/profiles/gui.inc
./usr/share/sandbox/profiles/gui.profile
./usr/share/sandbox/profiles/image-viewer.profile
./usr/share/sandbox/profiles/pdf-viewer.profile
./usr/share/zsh/vendor-completions/_sandbox' \
	"$(grep -v '^d' <<<"$OUT" | sed -E 's/^([^ ]+ +){5}//' | sort)"
expect_match "binary mode" '^-rwxr-xr-x root/root .* ./usr/bin/sandbox$' "$OUT"

# lintian_ok WHAT FILE: lintian finds no error or warning in FILE; its
# informational and pedantic tags are shown as comments.
lintian_ok() {
	T_TIMEOUT=300 timed "lintian $2" \
		run lintian --fail-on error,warning --display-info --pedantic "$2"
	# lintian says this on stderr to everyone who runs it as root.
	ERR=$(grep -v 'running with root privileges is not recommended' <<<"$ERR")
	comment "$OUT"
	comment "$ERR"
	if ((RC == 0)); then
		pass
	else
		fail "lintian reports errors or warnings in $1 (status $RC)" "$OUT"
	fi
}

t "lintian: no error or warning in the binary packages"
lintian_ok "the binary packages" "$CHANGES"

t "lintian: no error or warning in the source package"
timed "deb-source" run bash packaging/build.sh deb-source
expect_ran "packaging/build.sh deb-source"
if ((RC == 0)); then
	lintian_ok "the source package" "dist/sandbox_$VERSION.dsc"
fi
# Only the binary packages are release artefacts.
rm -f "dist/sandbox_$VERSION.dsc" "dist/sandbox_$VERSION.tar.xz"

t "apt-get install ./dist/*.deb installs the package and its dependencies"
for pkg in sandbox sandbox-dbgsym; do
	if dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^.i'; then
		comment "$pkg was installed before this run: removing it first"
		apt-get remove -y -q "$pkg" >/dev/null
	fi
done
T_TIMEOUT=600 timed "apt-get install ./dist/*.deb" \
	run bash -c "$APT" apt-get install -y -q ./dist/*.deb
expect_ran "apt-get install ./dist/*.deb"
expect_eq "dpkg status of sandbox" "install ok installed" \
	"$(dpkg-query -W -f='${Status}' sandbox 2>&1)"

t "the installed files are in place"
expect_true "/usr/bin/sandbox is executable" test -x /usr/bin/sandbox
expect_eq "the bwrap link resolves to /usr/bin/sandbox" /usr/bin/sandbox \
	"$(readlink -f /usr/libexec/sandbox/bwrap)"
for f in /usr/share/man/man1/sandbox.1.gz \
	/usr/share/bash-completion/completions/sandbox \
	/usr/share/zsh/vendor-completions/_sandbox \
	/usr/share/fish/vendor_completions.d/sandbox.fish \
	/usr/share/sandbox/profiles/gui.profile; do
	expect_true "$f" test -s "$f"
done
run sandbox --version
expect_eq "sandbox --version" "sandbox $VERSION" "$OUT"
run sandbox --list-profiles
expect_match "the shipped profiles are found where the package put them" \
	'^gui +/usr/share/sandbox/profiles' "$OUT"

t "$TEST_USER runs a sandbox with the installed package"
RUN_CWD=/
timed "sandbox -- true" run "${AS_USER[@]}" sandbox -- true
expect_status 0
run "${AS_USER[@]}" sandbox -- id -u
expect_status 0
expect_eq "uid inside" "$(id -u "$TEST_USER")" "$OUT"
# Through newuidmap/newgidmap from uidmap, a dependency of the package:
# the user's first subordinate id is mapped.
subuid=$(awk -F: -v u="$TEST_USER" '$1 == u { print $2; exit }' /etc/subuid)
run "${AS_USER[@]}" sandbox --subids -- cat /proc/self/uid_map
expect_status 0
expect_match "subordinate range in the uid map" "^ *[0-9]+ +${subuid:-none} +[0-9]+\$" "$OUT"

t "$TEST_USER runs the bwrap personality through /usr/libexec/sandbox/bwrap"
RUN_CWD=/
run "${AS_USER[@]}" /usr/libexec/sandbox/bwrap --version
expect_status 0
expect_match "bwrap --version" '^bubblewrap [0-9]' "$OUT"
run "${AS_USER[@]}" /usr/libexec/sandbox/bwrap --ro-bind / / --unshare-all true
expect_status 0

t "policycoreutils-sandbox would replace the package, not sit beside it"
run apt-get -s install policycoreutils-sandbox
expect_status 0
expect_match "apt-get -s install policycoreutils-sandbox" '^Remv sandbox ' "$OUT"

t "apt-get remove leaves no file of the packages behind"
mapfile -t installed < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
	sandbox sandbox-dbgsym 2>/dev/null | awk '$2 ~ /^.i/ { print $1 }')
files=$(dpkg-query -L "${installed[@]}" 2>/dev/null)
timed "apt-get remove" run apt-get remove -y -q "${installed[@]}"
expect_ran "apt-get remove ${installed[*]}"
left=$(while read -r f; do
	[[ -n $f && ! -d $f ]] && [[ -e $f || -L $f ]] && printf '%s\n' "$f"
done <<<"$files")
expect_eq "files left" "" "$left"
for d in /usr/libexec/sandbox /usr/share/doc/sandbox /usr/share/doc/sandbox-dbgsym; do
	expect_false "$d is removed" test -e "$d"
done
for pkg in "${installed[@]}"; do
	# No conffiles, so nothing stays in the "rc" state either: dpkg
	# forgets the package, or keeps it as "un" (not installed).
	expect_match "dpkg status of $pkg" '^(un.*)?$' \
		"$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)"
done
expect_false "sandbox is not in PATH" command -v sandbox

RPM_VERSION=$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/sandbox.spec)

t "make rpm builds the RPM packages into dist/"
T_TIMEOUT=600 timed "make rpm" run make rpm
expect_ran "make rpm"
mapfile -t rpms < <(compgen -G "dist/sandbox-$RPM_VERSION-*.rpm")
expect_eq "RPM packages built" 1 "${#rpms[@]}"
expect_ne "a -debuginfo package too" "" "$(compgen -G "dist/sandbox-debuginfo-$RPM_VERSION-*.rpm")"
expect_eq "no rpmbuild top directory left" "" "$(compgen -G 'dist/.rpmbuild.*')"
RPM=${rpms[0]:-dist/missing.rpm}

t "the RPM holds the expected files and dependencies"
run rpm -qlp "$RPM"
expect_status 0
expect_eq "files (but docs and .build-id links)" '/usr/bin/sandbox
/usr/libexec/sandbox
/usr/libexec/sandbox/bwrap
/usr/share/bash-completion/completions/sandbox
/usr/share/fish/vendor_completions.d/sandbox.fish
/usr/share/man/man1/sandbox.1.gz
/usr/share/sandbox
/usr/share/sandbox/profiles
/usr/share/sandbox/profiles/browser.profile
/usr/share/sandbox/profiles/cli-tool.profile
/usr/share/sandbox/profiles/gui.inc
/usr/share/sandbox/profiles/gui.profile
/usr/share/sandbox/profiles/image-viewer.profile
/usr/share/sandbox/profiles/pdf-viewer.profile
/usr/share/zsh/site-functions/_sandbox' \
	"$(grep -Ev '^/usr/lib/\.build-id|^/usr/share/doc/' <<<"$OUT" | sort)"
run rpm -qp --requires --recommends --conflicts "$RPM"
expect_status 0
for dep in /usr/bin/newuidmap /usr/bin/newgidmap fuse-overlayfs \
	'libcap.so.2()(64bit)' '(passt or slirp4netns)' policycoreutils-sandbox; do
	expect_true "dependency $dep" grep -qxF "$dep" <<<"$OUT"
done

t "rpmlint: no error in the spec and the RPM"
timed "rpmlint" run rpmlint -c packaging/rpm/rpmlint.toml packaging/rpm/sandbox.spec "$RPM"
comment "$(grep -E '^[^ ]+: [EW]: |checked;' <<<"$OUT")"
expect_status 0
expect_match "summary" ' 0 errors, ' "$OUT"

printf '# time: total: %s s\n' "$(elapsed "$T_START")"
done_testing
