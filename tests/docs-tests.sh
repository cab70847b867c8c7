#!/bin/bash
# tests/docs-tests.sh - the man page and the three shell completions agree
# with the command line.
#
#   bash tests/docs-tests.sh        (from anywhere; runs in the repository)
#
# The option list comes from the option table, src/options.c: from
# `$SANDBOX --help` (default ./sandbox), which prints it, when the binary
# is built, else from the table's source (and the two must agree). Every
# option must be documented in man/sandbox.1
# and offered by the bash, zsh and fish completions; the completions are
# also run through each shell. Needs mandoc, man-db, bash-completion, zsh
# and fish (tests/setup-host.sh installs them). Runs as any user; writes
# only under $T_TMP.

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
REPO=$PWD
# shellcheck disable=SC2034 # read by tests/lib.sh
T_SUITE=docs-tests
# shellcheck source=tests/lib.sh
. tests/lib.sh

MAN=man/sandbox.1
BASH_COMP=completions/sandbox.bash
ZSH_COMP=completions/_sandbox
FISH_COMP=completions/sandbox.fish

# The shells must not read the user's own configuration or history.
export HOME=$T_TMP/home XDG_CONFIG_HOME=$T_TMP/home/.config \
	XDG_DATA_HOME=$T_TMP/home/.local/share XDG_CACHE_HOME=$T_TMP/home/.cache
mkdir -p "$HOME"
export LC_ALL=C.UTF-8

# need CMD PACKAGE: fail the current test when CMD is missing.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	fail "$1 is not installed; as root: apt-get install $2"
	return 1
}

TABLE=src/options.c

# The option lines and group headings that --help prints, read from the
# table's source: a row's first line is
#   { "--name", ALIAS, ARGS, NARGS, PERSONALITY, FLAGS, handler,
# (a row without help text, hidden from --help, ends on that line), and a
# heading is a row TEXT("\nName:\n").
help_from_table() {
	sed -n '/^const struct opt cli_opts\[\] = {$/,/^};$/p' "$TABLE" | sed -n -E \
		-e 's/^\tTEXT\("(\\n)?([^"]*:)\\n"\),$/\2/p' \
		-e 's/^\t\{ "(--[^"]+)", NULL, NULL, [0-9]+, P_[A-Z]+, [^,]+, [a-z0-9_]+,$/      \1/p' \
		-e 's/^\t\{ "(--[^"]+)", NULL, "([^"]+)", [0-9]+, P_[A-Z]+, [^,]+, [a-z0-9_]+,$/      \1 \2/p' \
		-e 's/^\t\{ "(--[^"]+)", "(-.)", NULL, [0-9]+, P_[A-Z]+, [^,]+, [a-z0-9_]+,$/  \2, \1/p' \
		-e 's/^\t\{ "(--[^"]+)", "(-.)", "([^"]+)", [0-9]+, P_[A-Z]+, [^,]+, [a-z0-9_]+,$/  \2, \1 \3/p'
}

SANDBOX_BIN=${SANDBOX:-./sandbox}
t "the option list is read from $SANDBOX_BIN --help or $TABLE"
HELP_SOURCE=$TABLE
if [[ -x $SANDBOX_BIN ]]; then
	run "$SANDBOX_BIN" --help
	expect_status 0
	expect_match "$SANDBOX_BIN --help" '^Usage: sandbox ' "$OUT"
	if ((RC == 0)) && [[ $OUT == Usage:* ]]; then
		HELP=$OUT
		HELP_SOURCE="$SANDBOX_BIN --help"
	else
		HELP=$(help_from_table)
	fi
else
	HELP=$(help_from_table)
fi
# An option line: indented, then "-x, --long" or "--long", then the
# argument names: upper-case (DIR, SRC DEST, IN:OUT:COUNT), with optional
# parts in brackets and alternatives after | ([HOSTIP:]HOSTPORT:PORT[/tcp|/udp],
# HOST|ADDR[/PREFIX][:PORT]), or a list of words (auto|kernel|fuse), one of
# which may take an argument (ro|tmpfs|persist:DIR|none).
synopses() {
	grep -oE '^ +(-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*( \[?[A-Z][][A-Za-z0-9:/|=.]*| [a-z0-9-]+(\|[a-z0-9-]+(:[A-Z]+)?)+)*' |
		sed 's/^ *//'
}
SYNOPSES=$(synopses <<<"$HELP")
mapfile -t OPTIONS < <(grep -oE -- '(^|[ ,])--?[A-Za-z0-9][a-z0-9-]*' <<<"$SYNOPSES" |
	grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | sort -u)
expect_true "at least 40 options in $HELP_SOURCE (found ${#OPTIONS[@]})" \
	test "${#OPTIONS[@]}" -ge 40
for o in --rootfs --bind --cap-add -v --verbose --help; do
	expect_match "$HELP_SOURCE lists $o" "^$o\$" "$(printf '%s\n' "${OPTIONS[@]}")"
done

OPTION_LIST=$(printf '%s\n' "${OPTIONS[@]}")

t "--help prints the table: its options and groups, in its order"
# The table is the source of truth for --help and so for every check below.
TABLE_HELP=$(help_from_table)
expect_eq "option lines (< $TABLE, > --help)" "$(synopses <<<"$TABLE_HELP")" "$SYNOPSES"
expect_eq "group headings (< $TABLE, > --help)" \
	"$(grep -E '^[A-Z][^:]*:$' <<<"$TABLE_HELP")" "$(grep -E '^[A-Z][^:]*:$' <<<"$HELP")"

t "each row's arity matches its argument names; bwrap --help lists bubblewrap's rows"
# name NARGS PERSONALITY ARGS... for every option row, hidden ones too
TABLE_ROWS=$(sed -n '/^const struct opt cli_opts\[\] = {$/,/^};$/p' "$TABLE" | sed -n -E \
	's/^\t\{ "(--[^"]+)", (NULL|"-."), (NULL|"([^"]*)"), ([0-9]+), (P_[A-Z]+), .*/\1 \5 \6 \4/p')
expect_true "at least 40 option rows in $TABLE" test "$(wc -l <<<"$TABLE_ROWS")" -ge 40
while read -r name nargs pers args; do
	words=$(wc -w <<<"$args")
	((words == nargs)) && { pass; continue; }
	fail "$TABLE: $name takes $nargs arguments but --help names $words (${args:-none})"
done <<<"$TABLE_ROWS"
if [[ -x $SANDBOX_BIN ]]; then
	ln -s "$(realpath "$SANDBOX_BIN")" "$T_TMP/bwrap"
	run "$T_TMP/bwrap" --help
	expect_status 0
	expect_eq "bubblewrap's options (< $TABLE, P_BOTH and P_BWRAP rows; > bwrap --help)" \
		"$(awk '$3 != "P_NATIVE" { print $1 }' <<<"$TABLE_ROWS" | sort -u)" \
		"$(grep -oE -- '^    --[a-z0-9-]+' <<<"$OUT" | sed 's/^ *//' | sort -u)"
fi

# indent: two spaces before each line of standard input.
indent() { sed 's/^/  /'; }

# missing_from WHAT LIST: fail with the options of OPTION_LIST not in LIST.
missing_from() {
	local missing
	missing=$(comm -23 <(printf '%s\n' "$OPTION_LIST") <(sort -u <<<"$2"))
	if [[ -z $missing ]]; then
		pass
	else
		fail "$1 lacks options that $HELP_SOURCE lists:" "$(indent <<<"$missing")"
	fi
}

# extra_in WHAT LIST: fail with the options in LIST that --help lacks.
extra_in() {
	local extra
	extra=$(comm -13 <(printf '%s\n' "$OPTION_LIST") <(sort -u <<<"$2"))
	if [[ -z $extra ]]; then
		pass
	else
		fail "$1 has options that $HELP_SOURCE does not list:" "$(indent <<<"$extra")"
	fi
}

# Words of FILE that are option names (not part of a longer name).
options_in_text() {
	grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][a-z0-9-]*' "$1" |
		sed -E 's/^[^-]*//' | sort -u
}

# ---------------------------------------------------------------- man page

# The OPTIONS section's item tags, as they render: ".BI \-\-bind " SRC DEST""
# -> "--bind SRC DEST".
man_option_tags() {
	awk '/^\.SH /{ in_opts = ($2 == "OPTIONS") } in_opts && prev == ".TP" { print } { prev = $0 }' "$MAN" |
		sed -E 's/^\.(B|BI|BR|I|IR|RB) //; s/\\-/-/g; s/\\f[BIRP]//g; s/"//g; s/ +/ /g; s/ ,/,/g; s/ $//'
}

t "man page documents every option"
MAN_TAGS=$(man_option_tags)
missing_from "$MAN (OPTIONS section)" "$(grep -oE -- '(^|, )--?[A-Za-z0-9][a-z0-9-]*' <<<"$MAN_TAGS" | sed 's/^, //')"

t "man page documents no option that --help lacks"
extra_in "$MAN (OPTIONS section)" "$(grep -oE -- '(^|, )--?[A-Za-z0-9][a-z0-9-]*' <<<"$MAN_TAGS" | sed 's/^, //')"

t "man page names each option's arguments as --help does"
while IFS= read -r syn; do
	grep -qxF -- "$syn" <<<"$MAN_TAGS" && { pass; continue; }
	fail "no OPTIONS item \"$syn\" in $MAN"
done <<<"$SYNOPSES"

t "man page groups and orders the options as --help does"
# --help's group headings ("Root filesystem:") and the OPTIONS section's
# subsections, in order; then the options, in order.
expect_eq "groups" \
	"$(grep -E '^[A-Z][^:]*:$' <<<"$HELP" | grep -v '^Exit status' | sed 's/:$//')" \
	"$(awk '/^\.SH /{ in_opts = ($2 == "OPTIONS") } in_opts && /^\.SS /{ sub(/^\.SS "?/, ""); sub(/"$/, ""); print }' "$MAN")"
order_diff=$(diff <(sed -E 's/ [^-].*//; s/,//' <<<"$SYNOPSES") \
	<(sed -E 's/ [^-].*//; s/,//' <<<"$MAN_TAGS"))
if [[ -z $order_diff ]]; then
	pass
else
	fail "the options are not in --help's order (diff: < --help, > $MAN):" \
		"$(indent <<<"$order_diff")"
fi

t "mandoc -Tlint reports nothing"
if need mandoc mandoc; then
	run mandoc -Tlint "$MAN"
	expect_status 0
	expect_eq "mandoc -Tlint output" "" "$OUT$ERR"
fi

t "man --warnings reports nothing"
if need man man-db; then
	# From standard input: man-db may read files as another user.
	RUN_STDIN=$MAN run man --warnings -l -
	expect_status 0
	expect_eq "man --warnings standard error" "" "$ERR"
	expect_match "rendered page" 'run a command in unprivileged Linux namespaces' "$OUT"
fi

t "man page has the sections a reader looks for"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS 'ID MAPS' 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
	expect_match "section $s" "^\\.SH \"?$s\"?\$" "$(<"$MAN")"
done

# ------------------------------------------------------ completions, as text

t "bash completion file names every option"
missing_from "$BASH_COMP" "$(options_in_text "$BASH_COMP")"

t "zsh completion file names every option"
missing_from "$ZSH_COMP" "$(options_in_text "$ZSH_COMP")"

t "fish completion file names every option"
# fish spells them "-l rootfs" and "-s v".
missing_from "$FISH_COMP" "$(grep -oE -- '(^| )-[ls] [A-Za-z0-9][a-z0-9-]*' "$FISH_COMP" |
	sed -E 's/^ ?-l /--/; s/^ ?-s /-/')"

t "completion files parse (bash -n, zsh -n, fish -n)"
run bash -n "$BASH_COMP"
expect_status 0
if need zsh zsh; then
	run zsh -n "$ZSH_COMP"
	expect_status 0
fi
if need fish fish; then
	run fish -n "$FISH_COMP"
	expect_status 0
fi

# Directories to complete into: one directory and one file with a common
# prefix, so that "directories only" can fail.
PICK=$T_TMP/pick
mkdir -p "$PICK/abc-dir" && : >"$PICK/abc-file"

# ------------------------------------------------------------------- bash

BASH_COMPLETION_MAIN=/usr/share/bash-completion/bash_completion

# The bash driver: sources bash-completion and completions/sandbox.bash,
# sets COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as bash would for
# the words given, calls the completion function and prints COMPREPLY.
cat >"$T_TMP/bash-driver.sh" <<'EOF'
# bash bash-driver.sh MAIN COMP WORD...
main=$1 comp=$2
shift 2
. "$main" || exit 3
. "$comp" || exit 3
complete -p sandbox >/dev/null || exit 4
COMP_WORDS=(sandbox "$@")
COMP_CWORD=$#
# The line as typed: no blank around a ":" word.
COMP_LINE=sandbox
prev=sandbox
for w in "$@"; do
	if [[ $w == : || $prev == : ]]; then COMP_LINE+=$w; else COMP_LINE+=" $w"; fi
	prev=$w
done
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
# compopt complains outside a real completion; that is expected here.
_sandbox sandbox "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
EOF

# bash_complete WORD... : the words after "sandbox" as bash splits the line
# (":" is a word of its own), the last being the one under the cursor; sets
# OUT to COMPREPLY, one a line.
bash_complete() {
	run bash --norc --noprofile "$T_TMP/bash-driver.sh" \
		"$BASH_COMPLETION_MAIN" "$REPO/$BASH_COMP" "$@"
}

have_bash_completion() {
	[[ -r $BASH_COMPLETION_MAIN ]] && return 0
	fail "$BASH_COMPLETION_MAIN is missing; as root: apt-get install bash-completion"
	return 1
}

t "bash: --ro completes to the --ro-* options"
if have_bash_completion; then
	bash_complete --ro
	expect_status 0
	expect_match "COMPREPLY" '^--ro-bind$' "$OUT"
	expect_match "COMPREPLY" '^--ro-bind-try$' "$OUT"
	expect_no_match "COMPREPLY" '^--share' "$OUT"
fi

t "bash: - offers exactly the options of --help"
if have_bash_completion; then
	bash_complete -
	expect_status 0
	missing_from "bash completion of -" "$OUT"
	extra_in "bash completion of -" "$(grep -vx -- -- <<<"$OUT")"
fi

t "bash: --cap-add CAP_SYS_AD completes to CAP_SYS_ADMIN"
if have_bash_completion; then
	bash_complete --cap-add CAP_SYS_AD
	expect_status 0
	expect_eq "COMPREPLY" CAP_SYS_ADMIN "$OUT"
	bash_complete --cap-drop AL
	expect_eq "COMPREPLY for --cap-drop AL" ALL "$OUT"
fi

t "bash: --overlay-driver offers auto, kernel and fuse"
if have_bash_completion; then
	bash_complete --overlay-driver ''
	expect_eq "COMPREPLY" "$(printf '%s\n' auto kernel fuse)" "$OUT"
fi

t "bash: --rootfs completes directories only"
if have_bash_completion; then
	bash_complete --rootfs /us
	expect_status 0
	expect_match "COMPREPLY for /us" '^/usr/?$' "$OUT"
	bash_complete --rootfs "$PICK/abc"
	expect_match "COMPREPLY" "^$PICK/abc-dir/?\$" "$OUT"
	expect_no_match "COMPREPLY" 'abc-file' "$OUT"
fi

t "bash: --bind completes files for both arguments"
if have_bash_completion; then
	bash_complete --bind "$PICK/abc"
	expect_match "SRC" 'abc-file' "$OUT"
	bash_complete --bind /etc "$PICK/abc"
	expect_match "DEST" 'abc-file' "$OUT"
	bash_complete --bind /etc /etc --share-n
	expect_eq "after SRC and DEST" --share-net "$OUT"
fi

t "bash: option arguments with colons are skipped whole"
if have_bash_completion; then
	bash_complete --uid-map 0 : 1000 : 1 --share-n
	expect_eq "after --uid-map 0:1000:1" --share-net "$OUT"
fi

t "bash: the command is completed after -- and after the options"
if have_bash_completion; then
	bash_complete -- bas
	expect_match "after --" '^bash$' "$OUT"
	bash_complete --share-net bas
	expect_match "after an option" '^bash$' "$OUT"
	bash_complete --uid 0 bas
	expect_match "after an option's argument" '^bash$' "$OUT"
	bash_complete ls --sh
	expect_no_match "sandbox options after the command" '^--share-' "$OUT"
fi

# ------------------------------------------------------------------- fish

# The fish driver: loads completions/sandbox.fish and prints the
# candidates for a command line, one a line, without their descriptions.
cat >"$T_TMP/fish-driver.fish" <<'EOF'
# fish --no-config fish-driver.fish COMPDIR COMPFILE LINE
set -g fish_complete_path $argv[1] $fish_complete_path
source $argv[2]; or exit 3
complete -C $argv[3] | string replace -r '\t.*' ''
true
EOF

# fish_complete LINE: sets OUT to the candidates for LINE, one a line.
fish_complete() {
	run fish --no-config "$T_TMP/fish-driver.fish" "$REPO/completions" "$REPO/$FISH_COMP" "$1"
}

t "fish: --share- lists the share options"
if need fish fish; then
	fish_complete "sandbox --share-"
	expect_status 0
	for o in --share-net --share-ipc --share-pid --share-uts --share-cgroup; do
		expect_match "candidates" "^$o\$" "$OUT"
	done
fi

t "fish: - offers exactly the options of --help"
if need fish fish; then
	fish_complete "sandbox -"
	expect_status 0
	missing_from "fish completion of -" "$OUT"
	extra_in "fish completion of -" "$(grep -E -- '^--?[A-Za-z0-9][a-z0-9-]*$' <<<"$OUT")"
fi

t "fish: --cap-add CAP_NET_ lists CAP_NET_ADMIN"
if need fish fish; then
	fish_complete "sandbox --cap-add CAP_NET_"
	expect_status 0
	expect_match "candidates" '^CAP_NET_ADMIN$' "$OUT"
	expect_match "candidates" '^CAP_NET_RAW$' "$OUT"
	expect_no_match "candidates" '^CAP_SYS_' "$OUT"
fi

t "fish: --overlay-driver offers auto, kernel and fuse"
if need fish fish; then
	fish_complete "sandbox --overlay-driver "
	expect_eq "candidates" "$(printf '%s\n' auto fuse kernel)" "$(sort <<<"$OUT")"
fi

t "fish: --rootfs completes directories only"
if need fish fish; then
	fish_complete "sandbox --rootfs $PICK/abc"
	expect_match "candidates" "^$PICK/abc-dir/?\$" "$OUT"
	expect_no_match "candidates" 'abc-file' "$OUT"
fi

t "fish: two-argument options and the command"
if need fish fish; then
	fish_complete "sandbox --bind /etc $PICK/abc"
	expect_match "DEST of --bind" 'abc-file' "$OUT"
	fish_complete "sandbox --bind /etc /etc --share-n"
	expect_eq "after SRC and DEST" --share-net "$OUT"
	fish_complete "sandbox -- bas"
	expect_match "command after --" '^bash$' "$OUT"
	fish_complete "sandbox --uid 0 ls --sh"
	expect_no_match "sandbox options after the command" '^--share-' "$OUT"
fi

# -------------------------------------------------------------------- zsh

# The zsh driver: runs an interactive `zsh -f` on a pseudo-terminal (the
# zpty module), loads _sandbox through compinit, types each LINE followed by
# TAB, and records every match the completion functions add, through a
# wrapper around the compadd builtin, in WORKDIR/1, WORKDIR/2, ...
cat >"$T_TMP/zsh-driver.zsh" <<'EOF'
# zsh -f zsh-driver.zsh COMPDIR WORKDIR LINE...
zmodload zsh/zpty || exit 2
compdir=$1 work=$2
shift 2
export TERM=vt100
zpty z 'zsh -f -i' || exit 2
zpty -w z "fpath=(${(q)compdir} \$fpath); autoload -Uz compinit; compinit -u -D"
# Matches asked for with -O, -A or -D are the completion system's own
# bookkeeping; the others are what the user would be offered.
zpty -w z 'compadd() {
  local -a m
  local -i s=${argv[(i)(-|--)]}
  if (( ${${argv[1,s-1]}[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
  builtin compadd -O m "$@"
  (( $#m )) && print -rl -- $m >>$__out
  builtin compadd "$@"
}'
# No listing (it could stop to ask), and a prompt that the typed text
# does not contain, to know when the shell waits for input.
zpty -w z "unsetopt autolist listbeep beep; __out=${(q)work}/1; RPS1=; PS1='%(?.R.R)EADY> '"
zpty -r z junk '*READY> ' || exit 3
integer k=0
for line; do
  (( k++ ))
  : >$work/$k
  zpty -w -n z "$line"$'\t'
  # Ctrl-U empties the line; then a marker that only its output contains.
  zpty -w z $'\C-u'"print ZDONE\${:-X}$k; __out=${(q)work}/$((k+1))"
  zpty -r z junk "*ZDONEX$k*" || exit 3
  zpty -r z junk '*READY> ' || exit 3
done
zpty -d z
exit 0
EOF

ZSH_LINES=(
	'sandbox --share-'
	'sandbox -'
	'sandbox --cap-add CAP_SYS_AD'
	"sandbox --rootfs $PICK/abc"
	"sandbox --bind /etc $PICK/abc"
	'sandbox --bind /etc /etc --share-n'
	'sandbox -- ech'
	'sandbox --uid 0 ls --sh'
	'sandbox --overlay-driver '
)
ZSH_WORK=$T_TMP/zsh
mkdir -p "$ZSH_WORK"

# zsh_result N: the matches recorded for ZSH_LINES[N-1].
zsh_result() { cat "$ZSH_WORK/$1" 2>/dev/null; }

t "zsh: _sandbox loads and runs in an interactive zsh"
ZSH_OK=false
if need zsh zsh; then
	run zsh -f "$T_TMP/zsh-driver.zsh" "$REPO/completions" "$ZSH_WORK" "${ZSH_LINES[@]}"
	expect_status 0
	((RC == 0)) && ZSH_OK=true
fi

zsh_test() {
	t "zsh: $1"
	if ! $ZSH_OK; then
		skip "the zsh driver failed (see above)"
		return 1
	fi
}

if zsh_test "--share- lists the share options"; then
	for o in --share-net --share-ipc --share-pid --share-uts --share-cgroup; do
		expect_match "matches" "^$o\$" "$(zsh_result 1)"
	done
fi

if zsh_test "- offers exactly the options of --help"; then
	opts=$(grep -E -- '^--?[A-Za-z0-9][a-z0-9-]*$' <<<"$(zsh_result 2)")
	missing_from "zsh completion of -" "$opts"
	extra_in "zsh completion of -" "$opts"
fi

if zsh_test "--cap-add CAP_SYS_AD completes to CAP_SYS_ADMIN"; then
	expect_eq "matches" CAP_SYS_ADMIN "$(zsh_result 3 | sort -u)"
fi

if zsh_test "--overlay-driver offers auto, kernel and fuse"; then
	expect_eq "matches" "$(printf '%s\n' auto fuse kernel)" "$(zsh_result 9 | sort -u)"
fi

if zsh_test "--rootfs completes directories only"; then
	expect_match "matches" 'abc-dir' "$(zsh_result 4)"
	expect_no_match "matches" 'abc-file' "$(zsh_result 4)"
fi

if zsh_test "two-argument options and the command"; then
	expect_match "DEST of --bind" 'abc-file' "$(zsh_result 5)"
	expect_eq "after SRC and DEST" --share-net "$(zsh_result 6 | sort -u)"
	expect_match "command after --" '^echo$' "$(zsh_result 7)"
	expect_no_match "sandbox options after the command" '^--share-' "$(zsh_result 8)"
fi

done_testing
