#!/bin/bash
# tests/fuzz/run.sh SECONDS HARNESS...: run each libFuzzer harness (built
# by `make fuzz`) for SECONDS on a working copy of its corpus
# (tests/fuzz/corpus/NAME, with tests/fuzz/NAME.dict when there is one).
# New inputs go to build/fuzz/corpus/NAME, never into the tree; a crash,
# leak, sanitizer report or timeout is saved under build/fuzz/artifacts
# and makes the run fail.  Prints one line per harness and a total.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
seconds=$1
shift
out=build/fuzz
failed=0 passed=0
start=$SECONDS
# one harness; its report goes to $out/logs/NAME.result
run_one() {
	local h=$1 name work dict supp t0 status runs cov
	name=${h##*/}
	name=${name#fuzz-}
	work=$out/corpus/$name
	mkdir -p "$work" "$out/artifacts" "$out/logs"
	dict=()
	[[ -f tests/fuzz/$name.dict ]] && dict=(-dict="tests/fuzz/$name.dict")
	# NAME.lsan: leaks inside a library, matched by the library's own
	# function; that needs the full stack of every allocation
	supp=()
	[[ -f tests/fuzz/$name.lsan ]] &&
		supp=(LSAN_OPTIONS="suppressions=tests/fuzz/$name.lsan" ASAN_OPTIONS=fast_unwind_on_malloc=0)
	t0=$SECONDS
	# -timeout: one input running that long is a hang (a finding); a busy
	# machine must not make a slow input look like one
	env "${supp[@]}" "$h" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" "${dict[@]}" \
		"$work" "tests/fuzz/corpus/$name" >"$out/logs/$name.log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$name.log")
	cov=$(grep -oE 'cov: [0-9]+' "$out/logs/$name.log" | tail -n 1)
	if ((status == 0)); then
		echo "ok - fuzz $name: ${runs:-?} runs in $((SECONDS - t0)) s, ${cov:-cov: ?}, no finding"
	else
		echo "not ok - fuzz $name: exit status $status after $((SECONDS - t0)) s (see $out/logs/$name.log)"
		grep -E 'ERROR|SUMMARY|property failed|Test unit written' "$out/logs/$name.log" | head -n 5 |
			sed 's/^/    /'
	fi >"$out/logs/$name.result"
}

# FUZZ_JOBS harnesses at a time (default: one per core)
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p "$out/logs"
running=0
for h in "$@"; do
	run_one "$h" &
	running=$((running + 1))
	if ((running >= jobs)); then
		wait -n
		running=$((running - 1))
	fi
done
wait
for h in "$@"; do
	name=${h##*/}
	name=${name#fuzz-}
	cat "$out/logs/$name.result"
	if grep -q '^ok - ' "$out/logs/$name.result"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "# fuzz: $((SECONDS - start)) s in all"
echo "$passed passed, $failed failed"
((failed == 0))
