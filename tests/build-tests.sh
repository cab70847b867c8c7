#!/bin/bash
# tests/build-tests.sh - the build (issue 2, point 1): `make` builds the
# sandbox binary from a clean tree, `make install` honours PREFIX and
# DESTDIR, `make demo` runs.
#
#   bash tests/build-tests.sh       (from anywhere; uses the tree it is in)
#
# Runs as any user; builds in a copy of the tree under $T_TMP and installs
# only under $T_TMP.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
T_SUITE=build-tests
# shellcheck source=tests/lib.sh
. tests/lib.sh

export LC_ALL=C
JOBS=$(nproc 2>/dev/null || echo 2)

# A clean copy of the sources: no binaries, no objects.
mkdir "$T_TMP/tree"
tar -C "$REPO" --exclude=./.git --exclude='*.o' --exclude=./sandbox \
	--exclude=./tests/unit/unit-tests -cf - . | tar -C "$T_TMP/tree" -xf -
TREE=$T_TMP/tree

t "make builds ./sandbox from a clean tree"
T_TIMEOUT=600 run make -C "$TREE" -j"$JOBS"
expect_status 0
expect_true "./sandbox is executable" test -x "$TREE/sandbox"
run "$TREE/sandbox" --version
expect_status 0
expect_match "--version" '^sandbox [0-9]' "$OUT"

t "make install DESTDIR=... PREFIX=/usr"
DEST=$T_TMP/dest
run make -C "$TREE" install DESTDIR="$DEST" PREFIX=/usr
expect_status 0
expect_true "usr/bin/sandbox is executable" test -x "$DEST/usr/bin/sandbox"
expect_eq "mode of usr/bin/sandbox" 755 "$(stat -c %a "$DEST/usr/bin/sandbox" 2>&1)"
expect_true "man page in usr/share/man/man1" test -f "$DEST/usr/share/man/man1/sandbox.1"
expect_true "bash completion" test -f "$DEST/usr/share/bash-completion/completions/sandbox"
expect_match "zsh completion" '^_sandbox$' \
	"$(find "$DEST/usr/share/zsh" -name _sandbox -printf '%f\n' 2>/dev/null)"
expect_match "fish completion" '^sandbox\.fish$' \
	"$(find "$DEST/usr/share/fish" -name sandbox.fish -printf '%f\n' 2>/dev/null)"
expect_eq "files outside DESTDIR/usr" "" \
	"$(find "$DEST" -mindepth 1 -maxdepth 1 ! -name usr -printf '%f\n')"
run "$DEST/usr/bin/sandbox" --version
expect_status 0

t "make install PREFIX=DIR (no DESTDIR)"
PREFIX_DIR=$T_TMP/prefix
run make -C "$TREE" install PREFIX="$PREFIX_DIR"
expect_status 0
expect_true "bin/sandbox is executable" test -x "$PREFIX_DIR/bin/sandbox"
expect_true "share/man/man1/sandbox.1" test -f "$PREFIX_DIR/share/man/man1/sandbox.1"

t "make demo runs sandboxes"
T_TIMEOUT=600 run make -C "$TREE" demo
expect_status 0
expect_match "hostname shown" '^sandbox$' "$OUT"
expect_match "a uid_map shown" '^ +[0-9]+ +[0-9]+ +[0-9]+$' "$OUT"

done_testing
