#!/bin/bash
# tests/pkg-tests.sh - `make install` and `make uninstall` put and remove
# exactly the files they should, wherever PREFIX, DESTDIR, BINDIR,
# LIBEXECDIR, MANDIR and the completion directories say; the Debian, RPM
# and Arch recipes agree with each other and with the program.
#
#   bash tests/pkg-tests.sh        (from anywhere; runs in the repository)
#
# Runs as any user: every install goes to a DESTDIR under $T_TMP. Builds
# ./sandbox first when it is not built. Building and installing the real
# packages is packaging/ci-deb.sh's job (as root, and slower).

# Single-quoted $ here is literal on purpose: patterns, and code for the
# PKGBUILD's own shell.
# shellcheck disable=SC2016

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
# shellcheck disable=SC2034 # read by tests/lib.sh
T_SUITE=pkg-tests
# shellcheck source=tests/lib.sh
. tests/lib.sh

T_TIMEOUT=${T_TIMEOUT:-120}
export LC_ALL=C

# The files make install puts under PREFIX=/usr with the default
# directories, relative to DESTDIR.
EXPECTED_USR='usr/bin/sandbox
usr/libexec/sandbox/bwrap
usr/share/bash-completion/completions/sandbox
usr/share/fish/vendor_completions.d/sandbox.fish
usr/share/man/man1/sandbox.1
'"$(cd profiles && printf 'usr/share/sandbox/profiles/%s\n' *.inc *.profile | sort)"'
usr/share/zsh/vendor-completions/_sandbox'

# files_under DIR: the files and links under DIR, relative, sorted.
files_under() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | sort)
}

# mk DESTDIR [VAR=VALUE...] TARGET: run make quietly in the repository.
mk() {
	run make -s -C "$REPO" "$@"
}

t "make builds ./sandbox when it is not built"
if [[ -x $REPO/sandbox ]]; then
	pass
else
	mk sandbox
	expect_status 0
fi
VERSION=$(sed -n 's/^#define SANDBOX_VERSION "\(.*\)"$/\1/p' src/sandbox.h)

STAGE=$T_TMP/stage
t "make install DESTDIR=... PREFIX=/usr installs the six files and links, and the profiles"
mk install DESTDIR="$STAGE" PREFIX=/usr
expect_status 0
expect_eq "installed files" "$EXPECTED_USR" "$(files_under "$STAGE")"

t "the installed files are the tree's, with the right modes"
expect_true "binary" cmp -s sandbox "$STAGE/usr/bin/sandbox"
expect_eq "binary mode" 755 "$(stat -c %a "$STAGE/usr/bin/sandbox")"
for pair in man/sandbox.1:usr/share/man/man1/sandbox.1 \
	completions/sandbox.bash:usr/share/bash-completion/completions/sandbox \
	completions/_sandbox:usr/share/zsh/vendor-completions/_sandbox \
	completions/sandbox.fish:usr/share/fish/vendor_completions.d/sandbox.fish; do
	src=${pair%%:*} dst=$STAGE/${pair#*:}
	expect_true "$src installed as ${pair#*:}" cmp -s "$src" "$dst"
	expect_eq "mode of ${pair#*:}" 644 "$(stat -c %a "$dst")"
done

for f in profiles/*.inc profiles/*.profile; do
	dst=$STAGE/usr/share/sandbox/$f
	expect_true "$f installed" cmp -s "$f" "$dst"
	expect_eq "mode of $f" 644 "$(stat -c %a "$dst")"
done

t "the binary installed with PREFIX=/usr looks for profiles in /usr/share/sandbox/profiles"
run "$STAGE/usr/bin/sandbox" --profile-show no-such-profile
expect_status 125
expect_match "the directories searched" 'or /usr/share/sandbox/profiles$' "$ERR"

t "the bwrap link is relative and resolves to the installed binary"
expect_eq "link target" ../../bin/sandbox "$(readlink "$STAGE/usr/libexec/sandbox/bwrap")"
expect_eq "resolved" "$(readlink -f "$STAGE/usr/bin/sandbox")" \
	"$(readlink -f "$STAGE/usr/libexec/sandbox/bwrap")"

t "the installed binary runs, and as bwrap it is the bwrap personality"
run "$STAGE/usr/bin/sandbox" --version
expect_status 0
expect_eq "sandbox --version" "sandbox $VERSION" "$OUT"
run "$STAGE/usr/libexec/sandbox/bwrap" --version
expect_status 0
expect_match "bwrap --version" '^bubblewrap [0-9]' "$OUT"

t "make install a second time over the first succeeds and changes nothing"
mk install DESTDIR="$STAGE" PREFIX=/usr
expect_status 0
expect_eq "installed files" "$EXPECTED_USR" "$(files_under "$STAGE")"
expect_eq "link target" ../../bin/sandbox "$(readlink "$STAGE/usr/libexec/sandbox/bwrap")"

t "make uninstall removes every installed file and our libexec directory"
mk uninstall DESTDIR="$STAGE" PREFIX=/usr
expect_status 0
expect_eq "files left" "" "$(files_under "$STAGE")"
expect_false "usr/libexec/sandbox is gone" test -e "$STAGE/usr/libexec/sandbox"
expect_false "usr/share/sandbox is gone" test -e "$STAGE/usr/share/sandbox"
# Directories that other packages share are not ours to remove.
expect_true "usr/bin stays" test -d "$STAGE/usr/bin"
expect_true "usr/share/man/man1 stays" test -d "$STAGE/usr/share/man/man1"

t "make uninstall leaves other files alone, beside ours and in our directory"
OTHERS='usr/bin/other
usr/libexec/sandbox/not-ours
usr/share/bash-completion/completions/other
usr/share/fish/vendor_completions.d/other.fish
usr/share/man/man1/other.1
usr/share/sandbox/profiles/mine.profile
usr/share/zsh/vendor-completions/_other'
mk install DESTDIR="$STAGE" PREFIX=/usr
expect_status 0
while read -r f; do
	echo other >"$STAGE/$f"
done <<<"$OTHERS"
mk uninstall DESTDIR="$STAGE" PREFIX=/usr
expect_status 0
expect_eq "files left" "$OTHERS" "$(files_under "$STAGE")"
expect_match "uninstall says why libexec/sandbox stays" 'not empty' "$ERR"

t "BINDIR, LIBEXECDIR, MANDIR and the completion directories are honoured"
STAGE2=$T_TMP/stage2
mk install DESTDIR="$STAGE2" PREFIX=/opt/sb BINDIR=/opt/sb/sbin \
	LIBEXECDIR=/opt/sb/lib/helpers MANDIR=/opt/sb/man \
	BASHCOMPDIR=/opt/sb/bash ZSHCOMPDIR=/opt/sb/zsh FISHCOMPDIR=/opt/sb/fish
expect_status 0
expect_eq "installed files" 'opt/sb/bash/sandbox
opt/sb/fish/sandbox.fish
opt/sb/lib/helpers/sandbox/bwrap
opt/sb/man/man1/sandbox.1
opt/sb/sbin/sandbox
'"$(cd profiles && printf 'opt/sb/share/sandbox/profiles/%s\n' *.inc *.profile | sort)"'
opt/sb/zsh/_sandbox' "$(files_under "$STAGE2")"
expect_eq "link target" ../../../sbin/sandbox \
	"$(readlink "$STAGE2/opt/sb/lib/helpers/sandbox/bwrap")"
expect_eq "resolved" "$(readlink -f "$STAGE2/opt/sb/sbin/sandbox")" \
	"$(readlink -f "$STAGE2/opt/sb/lib/helpers/sandbox/bwrap")"
mk uninstall DESTDIR="$STAGE2" PREFIX=/opt/sb BINDIR=/opt/sb/sbin \
	LIBEXECDIR=/opt/sb/lib/helpers MANDIR=/opt/sb/man \
	BASHCOMPDIR=/opt/sb/bash ZSHCOMPDIR=/opt/sb/zsh FISHCOMPDIR=/opt/sb/fish
expect_status 0
expect_eq "files left" "" "$(files_under "$STAGE2")"

t "the default PREFIX is /usr/local"
STAGE3=$T_TMP/stage3
mk install DESTDIR="$STAGE3"
expect_status 0
expect_eq "installed files" "${EXPECTED_USR//usr\//usr/local/}" \
	"$(files_under "$STAGE3")"
mk uninstall DESTDIR="$STAGE3"
expect_status 0
expect_eq "files left" "" "$(files_under "$STAGE3")"

# --- The recipes agree with the program and with each other ------------

CONTROL=packaging/debian/control
CHANGELOG=packaging/debian/changelog
SPEC=packaging/rpm/sandbox.spec
PKGBUILD=packaging/arch/PKGBUILD

# field FILE NAME: a deb822 field of FILE, continuation lines joined,
# comment lines dropped.
field() {
	awk -v name="$2" '
		/^#/ { next }
		$0 ~ "^" name ":" { on = 1; sub("^" name ":[ \t]*", ""); printf "%s ", $0; next }
		on && /^[ \t]/ { printf "%s ", $0; next }
		{ on = 0 }' "$1"
}

# pkgbuild EXPR: evaluate EXPR in a shell that sourced the PKGBUILD.
pkgbuild() {
	bash -c '. "$1" && eval "$2"' pkgbuild "$PKGBUILD" "$1"
}

t "the version is the same in the program, the changelog, the spec and the PKGBUILD"
expect_ne "SANDBOX_VERSION in src/sandbox.h" "" "$VERSION"
expect_eq "debian/changelog" "$VERSION" \
	"$(sed -n '1s/^sandbox (\([^)-]*\)\(-[^)]*\)\{0,1\}).*/\1/p' "$CHANGELOG")"
expect_eq "sandbox.spec Version" "$VERSION" \
	"$(sed -n 's/^Version:[[:space:]]*//p' "$SPEC")"
expect_eq "PKGBUILD pkgver" "$VERSION" "$(pkgbuild 'echo "$pkgver"')"

t "the recipes have the same dependencies"
deb_depends=$(field "$CONTROL" Depends)
expect_match "Debian Depends uidmap" '(^|[ ,])uidmap([ ,(]|$)' "$deb_depends"
expect_match "Debian Depends fuse-overlayfs" '(^|[ ,])fuse-overlayfs([ ,(]|$)' "$deb_depends"
expect_match "Debian Depends shlibs" '\$\{shlibs:Depends\}' "$deb_depends"
expect_match "Debian Recommends" '^passt \| slirp4netns, *libsystemd0,? *$' \
	"$(field "$CONTROL" Recommends | tr -s '\n' ' ')"
expect_match "Debian Conflicts" 'policycoreutils-sandbox' "$(field "$CONTROL" Conflicts)"
spec_deps=$(grep -E '^(Requires|Recommends|Conflicts):' "$SPEC")
expect_match "spec Requires newuidmap" '^Requires:[[:space:]]+/usr/bin/newuidmap$' "$spec_deps"
expect_match "spec Requires newgidmap" '^Requires:[[:space:]]+/usr/bin/newgidmap$' "$spec_deps"
expect_match "spec Requires fuse-overlayfs" '^Requires:[[:space:]]+fuse-overlayfs$' "$spec_deps"
expect_match "spec Recommends" '^Recommends:[[:space:]]+\(passt or slirp4netns\)$' "$spec_deps"
# libseccomp is dlopen()ed (src/seccomp.c): rpm's automatic requires miss it
expect_match "spec Requires libseccomp" '^Requires:[[:space:]]+libseccomp\.so\.2\(\)\(64bit\)$' "$spec_deps"
# libsystemd is dlopen()ed (src/scope.c): no shlibs or automatic requires see it
expect_match "spec Recommends systemd-libs" '^Recommends:[[:space:]]+systemd-libs$' "$spec_deps"
expect_match "spec Conflicts" '^Conflicts:[[:space:]]+policycoreutils-sandbox$' "$spec_deps"
arch_deps=$(pkgbuild 'printf "%s\n" "${depends[@]}"')
for dep in shadow fuse-overlayfs libcap libseccomp glibc; do
	expect_match "PKGBUILD depends $dep" "^$dep\$" "$arch_deps"
done
# The egress rules are netlink messages of our own: no nftables library.
expect_no_match "Debian: no libnftables" 'nftables' \
	"$deb_depends$(field "$CONTROL" Build-Depends)"
expect_no_match "spec: no nftables" 'nftables' "$(grep -E '^(Build)?Requires:' "$SPEC")"
expect_no_match "PKGBUILD: no nftables" 'nftables' "$arch_deps"
arch_opt=$(pkgbuild 'printf "%s\n" "${optdepends[@]}"')
expect_match "PKGBUILD optdepends passt" '^passt: ' "$arch_opt"
expect_match "PKGBUILD optdepends slirp4netns" '^slirp4netns: ' "$arch_opt"
expect_match "PKGBUILD optdepends systemd-libs" '^systemd-libs: ' "$arch_opt"

t "each library the Makefile builds with is in Build-Depends, BuildRequires and depends"
build_deps=$(field "$CONTROL" Build-Depends)
# The pkg-config modules the Makefile asks for (--cflags, --libs, --exists).
modules=$(grep -oE '\$\(PKG_CONFIG\) +--(cflags|libs|exists) +[^)|;]*' Makefile |
	sed -E 's/^[^ ]+ +--[a-z]+ +//' | tr ' ' '\n' | grep -E '^[a-z]' | sort -u)
expect_ne "pkg-config modules in the Makefile" "" "$modules"
# Arch names a few library packages differently (none of ours today).
declare -A ARCH_NAME=()
for mod in $modules; do
	# Debian's -dev package and rpm's pkgconfig() name follow the module's:
	# libcap -> libcap-dev, pkgconfig(libcap).
	expect_match "Build-Depends has $mod-dev" "(^|[ ,])$mod-dev([ ,(]|\$)" "$build_deps"
	expect_match "spec BuildRequires pkgconfig($mod)" \
		"^BuildRequires:[[:space:]]+pkgconfig\\($mod\\)\$" "$(grep '^BuildRequires:' "$SPEC")"
	expect_match "PKGBUILD depends or optdepends ${ARCH_NAME[$mod]:-$mod}" \
		"^${ARCH_NAME[$mod]:-$mod}(:|\$)" "$arch_deps"$'\n'"$arch_opt"
done

t "a library compiled against but not linked is named as a run-time dependency"
# The Makefile's LIBS as the compiler gets it: -lNAME for each linked
# library, which dpkg-shlibdeps and rpm then turn into dependencies.
ldlibs=$(make -s --no-print-directory -C "$REPO" \
	--eval 'pkg-tests-libs: ; @echo $(LIBS)' pkg-tests-libs 2>&1)
linked=$(tr ' ' '\n' <<<"$ldlibs" | sed -n 's/^-l\(.*\)/lib\1/p')
expect_ne "libraries in the Makefile's LIBS ($ldlibs)" "" "$linked"
# A module only compiled against is loaded at run time (dlopen), which
# ${shlibs:Depends} cannot see: debian/control must name its package
# (libfoo1 for libfoo) in Depends or Recommends.
runtime=$(field "$CONTROL" Depends)$(field "$CONTROL" Recommends)
for mod in $modules; do
	grep -qx "$mod" <<<"$linked" && continue
	expect_match "Depends or Recommends names ${mod}N (it is not linked)" \
		"(^|[ ,|])${mod}[0-9][^ ,]*([ ,(]|\$)" "$runtime"
done

t "the RPM and Arch recipes install the files make install does"
# Every installed file is named in the spec's %files, and the PKGBUILD
# installs with make install, setting only directories.
spec=$(cat "$SPEC")
expect_match "spec %files: binary" '^%\{_bindir\}/sandbox$' "$spec"
expect_match "spec %files: bwrap link" '^%\{_libexecdir\}/sandbox/bwrap$' "$spec"
expect_match "spec %files: libexec directory" '^%dir %\{_libexecdir\}/sandbox$' "$spec"
expect_match "spec %files: manual page" '^%\{_mandir\}/man1/sandbox\.1\*$' "$spec"
expect_match "spec %files: bash" '^%\{bash_completions_dir\}/sandbox$' "$spec"
expect_match "spec %files: zsh" '^%\{zsh_completions_dir\}/_sandbox$' "$spec"
expect_match "spec %files: fish" '^%\{fish_completions_dir\}/sandbox\.fish$' "$spec"
expect_match "spec %files: profiles directory" '^%dir %\{_datadir\}/sandbox/profiles$' "$spec"
expect_match "spec %files: profiles" '^%\{_datadir\}/sandbox/profiles/\*$' "$spec"
expect_match "spec installs with make install" '^%make_install ' "$spec"
expect_match "PKGBUILD installs with make install" \
	'make DESTDIR="\$pkgdir" PREFIX=/usr ' "$(cat "$PKGBUILD")"
expect_true "PKGBUILD is valid bash" bash -n "$PKGBUILD"

t "each recipe builds with the PREFIX it installs with (the profile directory is compiled in)"
expect_match "debian/rules builds with PREFIX=/usr" '^	dh_auto_build -- PREFIX=/usr$' \
	"$(cat packaging/debian/rules)"
expect_match "spec builds with DATADIR" '^%make_build PREFIX=%\{_prefix\} DATADIR=%\{_datadir\}$' "$spec"
expect_match "PKGBUILD builds with PREFIX=/usr" '^	make PREFIX=/usr$' "$(cat "$PKGBUILD")"

t "debian/rules does not run make check, and says why"
rules=$(cat packaging/debian/rules)
expect_match "override_dh_auto_test" '^override_dh_auto_test:$' "$rules"
# An empty override: the line after it is not a recipe line (tab).
expect_eq "recipe of override_dh_auto_test" "" \
	"$(sed -n '/^override_dh_auto_test:$/{n;/^\t/p;}' packaging/debian/rules)"
expect_match "comment on the tests" 'subordinate ids' "$rules"

done_testing
