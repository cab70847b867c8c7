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

series=("$@")
((${#series[@]})) || series=(6.1 6.12)

log() { printf 'fetch-kernels: %s\n' "$*" >&2; }

# shellcheck source=tests/private-apt.sh
. tests/private-apt.sh
setup_apt() { private_apt "$APT" bookworm trixie; }

# image_package SERIES: the versioned kernel image package that a suite's
# linux-image-amd64 depends on (linux-image-6.1.0-N-amd64 and the like).
image_package() {
	apt-cache "${APT_OPTS[@]}" show linux-image-amd64 |
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
		(cd "$dir/deb" && apt-get "${APT_OPTS[@]}" -q download "$pkg" >&2)
		dpkg -x "$dir"/deb/*.deb "$dir/root"
		rm -rf "$dir/deb"
		printf '%s\n' "$pkg" >"$dir/package"
		touch "$dir/.done"
	fi
	printf '%s %s\n' "$s" "$dir"
done
