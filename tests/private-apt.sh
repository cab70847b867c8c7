#!/bin/bash
# tests/private-apt.sh - source it: apt with a configuration of its own, so
# that fetching Debian packages for the tests neither reads nor changes the
# host's apt state (sources, lists, cache, dpkg status). Nothing is
# installed: `apt-get download` fetches, `dpkg -x` unpacks.
#
#   private_apt DIR SUITE...   make DIR's configuration for Debian's SUITEs
#                              (main, amd64) and run apt-get update; sets
#                              the array APT_OPTS for apt-get and apt-cache
#
# $DEBIAN_MIRROR (default http://deb.debian.org/debian) is the only place
# it fetches from.

private_apt() {
	local dir=$1 suite keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
	shift
	APT_OPTS=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=$dir/sources.list.d"
		-o "Dir::Etc::Preferences=$dir/preferences"
		-o "Dir::Etc::PreferencesParts=$dir/preferences.d"
		-o "Dir::State=$dir/state"
		-o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir/cache"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures::=amd64"
		-o "APT::Sandbox::User=$(id -un)"
		-o "Debug::NoLocking=1"
		-o "Acquire::Languages=none"
	)
	mkdir -p "$dir/sources.list.d" "$dir/preferences.d" \
		"$dir/state/lists/partial" "$dir/cache/archives/partial" || return 1
	: >"$dir/status"
	: >"$dir/preferences"
	: >"$dir/sources.list"
	for suite in "$@"; do
		echo "deb [signed-by=$keyring] $mirror $suite main" >>"$dir/sources.list"
	done
	apt-get "${APT_OPTS[@]}" -q update >&2
}
