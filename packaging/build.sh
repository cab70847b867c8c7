#!/bin/bash
# packaging/build.sh - build release artefacts into dist/ (`make dist`,
# `make deb`, `make rpm` call it).
#
#   bash packaging/build.sh dist   dist/sandbox-VERSION.tar.gz, the source
#   bash packaging/build.sh deb    dist/sandbox_VERSION_ARCH.deb (and its
#                                  -dbgsym, .buildinfo and .changes)
#   bash packaging/build.sh deb-source
#                                  dist/sandbox_VERSION.dsc and .tar.xz
#   bash packaging/build.sh rpm    dist/sandbox-VERSION-RELEASE.ARCH.rpm
#                                  (and its -debuginfo)
#
# The source is the working tree as git sees it: tracked files with their
# uncommitted changes, and untracked files that .gitignore does not
# exclude (outside a git checkout: every file but build products). The
# recipes stay under packaging/; each build copies the tree into a
# staging directory under dist/, so the tree itself is never written to
# and its root never gets a debian/ directory. Staging directories are
# removed afterwards, also on failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$PWD
DIST=$ROOT/dist

die() { printf 'packaging/build.sh: %s\n' "$*" >&2; exit 1; }

# need CMD PACKAGE: stop with the apt-get line when CMD is missing.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 is missing; as root: apt-get install $2"
}

# The files of the source tree, NUL-separated, relative to ROOT.
source_files() {
	if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# --deduplicate: a file with unmerged or modified entries once.
		git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
			--deduplicate -- . ':!:dist' |
			while IFS= read -r -d '' f; do
				# A tracked file deleted in the working tree is not source.
				[[ -e $f || -L $f ]] && printf '%s\0' "$f"
			done
	else
		find . \( -name .git -o -path ./dist -o -name '*.o' \
			-o -path ./sandbox -o -path ./tests/unit/unit-tests \
			-o -path ./bench/results \) -prune -o \
			\( -type f -o -type l \) -printf '%P\0'
	fi
}

# copy_tree DIR: copy the source files into DIR (created empty).
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	source_files | tar -C "$ROOT" --null -T - -cf - | tar -C "$1" -xf -
}

# Staging directories to remove on exit, whatever happens.
STAGES=()
cleanup() { ((${#STAGES[@]} == 0)) || rm -rf "${STAGES[@]}"; }
trap cleanup EXIT

# The program's own version (what `sandbox --version` prints).
upstream_version() {
	sed -n 's/^#define SANDBOX_VERSION "\(.*\)"$/\1/p' src/sandbox.h
}

spec_version() {
	sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/sandbox.spec | head -n 1
}

# make_tarball VERSION OUT: OUT is sandbox-VERSION.tar.gz with one
# top-level directory sandbox-VERSION/.
make_tarball() {
	local version=$1 out=$2 stage
	stage=$(mktemp -d "$DIST/.tarball.XXXXXX")
	STAGES+=("$stage")
	copy_tree "$stage/sandbox-$version"
	# Sorted names and no builder's user names in the archive.
	tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
		-czf "$out.tmp" "sandbox-$version"
	mv "$out.tmp" "$out"
}

build_dist() {
	local version
	version=$(upstream_version)
	[[ -n $version ]] || die "no SANDBOX_VERSION in src/sandbox.h"
	make_tarball "$version" "$DIST/sandbox-$version.tar.gz"
	echo "dist/sandbox-$version.tar.gz"
}

build_deb() {
	need dpkg-buildpackage dpkg-dev
	need dh debhelper
	local version stage
	version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
	# dpkg-buildpackage writes its results beside the tree it builds, so
	# the tree is dist/sandbox-VERSION and they land in dist/.
	rm -f "$DIST"/sandbox_*.deb "$DIST"/sandbox-dbgsym_*.deb \
		"$DIST"/sandbox_*.buildinfo "$DIST"/sandbox_*.changes
	stage=$DIST/sandbox-$version
	STAGES+=("$stage")
	copy_tree "$stage"
	cp -a packaging/debian "$stage/debian"
	# -b: binary packages only (no source package); -us -uc: unsigned;
	# -Jauto: parallel make where the package allows it.
	(cd "$stage" && dpkg-buildpackage -b -us -uc -Jauto)
	ls -1 "$DIST"/sandbox_"$version"_*.changes "$DIST"/sandbox_"$version"_*.buildinfo \
		"$DIST"/sandbox*_"$version"_*.deb | sed "s|^$ROOT/||"
}

# The Debian source package (.dsc and .tar.xz), for lintian's source checks
# (packaging/ci-deb.sh); releases ship the binary packages.
build_deb_source() {
	need dpkg-source dpkg-dev
	local version stage
	version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
	rm -f "$DIST/sandbox_$version.dsc" "$DIST/sandbox_$version.tar.xz"
	stage=$DIST/sandbox-$version
	STAGES+=("$stage")
	copy_tree "$stage"
	cp -a packaging/debian "$stage/debian"
	(cd "$DIST" && dpkg-source -b "sandbox-$version")
	ls -1 "$DIST/sandbox_$version.dsc" "$DIST/sandbox_$version.tar.xz" |
		sed "s|^$ROOT/||"
}

build_rpm() {
	need rpmbuild rpm
	local version topdir
	version=$(spec_version)
	[[ -n $version ]] || die "no Version: in packaging/rpm/sandbox.spec"
	# A private _topdir: nothing in ~/rpmbuild is read or written.
	topdir=$(mktemp -d "$DIST/.rpmbuild.XXXXXX")
	STAGES+=("$topdir")
	mkdir -p "$topdir/SOURCES"
	make_tarball "$version" "$topdir/SOURCES/sandbox-$version.tar.gz"
	# Packager is the build's to set, not the spec's (Fedora's guidelines);
	# the maintainer's, as in packaging/debian/control.
	local -a defs=(--define "_topdir $topdir"
		--define 'packager sandbox developers <dev@sandbox.invalid>')
	local -a opts=()
	if [[ -e /etc/debian_version ]]; then
		# Debian's rpm is plain upstream rpm, without the distribution
		# macros a Fedora build gets:
		# - the rpm database does not know the build dependencies (they are
		#   dpkg packages): --nodeps;
		# - no -debuginfo package is split off (and the binary is not
		#   stripped) unless %debug_package is put before %install, which
		#   Fedora's redhat-rpm-config does; find-debuginfo needs debugedit
		#   and elfutils;
		# - brp-compress is a bash script under #!/bin/sh (it uses read -d)
		#   and leaves manual pages uncompressed under dash: run it with bash.
		opts+=(--nodeps)
		defs+=(--define 'install %{?buildsubdir:%{debug_package}}%%install'
			--define '__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}')
	fi
	rm -f "$DIST"/sandbox-[0-9]*.rpm "$DIST"/sandbox-debuginfo-*.rpm \
		"$DIST"/sandbox-debugsource-*.rpm
	rpmbuild -bb "${opts[@]}" "${defs[@]}" packaging/rpm/sandbox.spec
	find "$topdir/RPMS" -name '*.rpm' -exec mv -t "$DIST" {} +
	ls -1 "$DIST"/sandbox-*"$version"-*.rpm | sed "s|^$ROOT/||"
}

mkdir -p "$DIST"
case ${1:-} in
dist) build_dist ;;
deb) build_deb ;;
deb-source) build_deb_source ;;
rpm) build_rpm ;;
*)
	echo "usage: packaging/build.sh dist|deb|deb-source|rpm" >&2
	exit 2
	;;
esac
