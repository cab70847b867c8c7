#!/bin/bash
# tests/vm/fetch-kernels.sh - fetch the stock Debian kernels the VM matrix
# boots, into build/vm/kernel-<series>/ (cached: nothing is fetched when
# the tree is there).
#
# apt runs with a configuration of its own under build/vm/apt: its own
# sources (bookworm and trixie), lists, cache and dpkg status, so the
# host's apt state is neither read nor changed. `apt-get download` only
# fetches the .deb; `dpkg -x` unpacks it into the build tree. Nothing is
# installed, and /boot is untouched.
#
# Usage: tests/vm/fetch-kernels.sh [SERIES...]   (default: 6.1 6.12)
# Prints one line per series: SERIES DIR.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
VM=$PWD/build/vm
APT=$VM/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

series=("$@")
((${#series[@]})) || series=(6.1 6.12)

log() { printf 'fetch-kernels: %s\n' "$*" >&2; }

apt_opts=(
	-o "Dir::Etc::SourceList=$APT/sources.list"
	-o "Dir::Etc::SourceParts=$APT/sources.list.d"
	-o "Dir::Etc::Preferences=$APT/preferences"
	-o "Dir::Etc::PreferencesParts=$APT/preferences.d"
	-o "Dir::State=$APT/state"
	-o "Dir::State::status=$APT/status"
	-o "Dir::Cache=$APT/cache"
	-o "APT::Architecture=amd64"
	-o "APT::Architectures::=amd64"
	-o "APT::Sandbox::User=$(id -un)"
	-o "Debug::NoLocking=1"
	-o "Acquire::Languages=none"
)

setup_apt() {
	mkdir -p "$APT/sources.list.d" "$APT/preferences.d" \
		"$APT/state/lists/partial" "$APT/cache/archives/partial"
	: >"$APT/status"
	: >"$APT/preferences"
	cat >"$APT/sources.list" <<-EOT
		deb [signed-by=$KEYRING] $MIRROR bookworm main
		deb [signed-by=$KEYRING] $MIRROR trixie main
	EOT
	apt-get "${apt_opts[@]}" -q update >&2
}

# image_package SERIES: the versioned kernel image package that a suite's
# linux-image-amd64 depends on (linux-image-6.1.0-N-amd64 and the like).
image_package() {
	apt-cache "${apt_opts[@]}" show linux-image-amd64 |
		sed -n 's/^Depends: .*\(linux-image-'"${1//./\\.}"'[.-][^ ,]*-amd64\).*/\1/p' |
		sort -V | tail -n 1
}

updated=
for s in "${series[@]}"; do
	dir=$VM/kernel-$s
	if [[ ! -f $dir/.done ]]; then
		[[ -n $updated ]] || { setup_apt; updated=1; }
		pkg=$(image_package "$s")
		[[ -n $pkg ]] || { log "no linux-image-$s.*-amd64 in bookworm or trixie"; exit 1; }
		log "downloading $pkg"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get "${apt_opts[@]}" -q download "$pkg" >&2)
		dpkg -x "$dir"/deb/*.deb "$dir/root"
		rm -rf "$dir/deb"
		printf '%s\n' "$pkg" >"$dir/package"
		touch "$dir/.done"
	fi
	printf '%s %s\n' "$s" "$dir"
done
