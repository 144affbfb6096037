#!/usr/bin/env bash
# Instructions executed (valgrind's callgrind, one thread) by `migrate check --format json` and
# `migrate apply --diff` on N handlers of the benchmark's corpus with helpers, next to a swc
# parse-only pass (read + parse) over the same files in the same build. On a shared machine
# whose clock varies by half from one run to the next, instruction counts are the steady
# figure; they do not see cache misses, page faults or the second thread.
#
#     bench/instructions.sh          # 2,000 handlers
#     bench/instructions.sh 500
set -euo pipefail
cd "$(dirname "$0")/.."
handlers=${1:-2000}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

cargo build --release --locked -p migrate-cli --quiet
migrate=target/release/migrate
bench=$(cargo bench --locked --bench check_vs_parse --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "check_vs_parse" and m.get("executable"):
        print(m["executable"])')

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bench" corpus "$dir" "$handlers"

count() { # label, then the command; prints the instruction count
  local out
  out=$(cd "$dir" && RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  echo "$out"
}
parse=$(count "$bench" parse .)
check=$(count "$PWD/$migrate" check . --format json --fail-on never)
pretty=$(count "$PWD/$migrate" check . --format json-pretty --fail-on never)
apply=$(count "$PWD/$migrate" apply . --diff)
python3 - "$handlers" "$parse" "$check" "$pretty" "$apply" <<'PY'
import sys
n, parse, check, pretty, apply_ = sys.argv[1], *map(int, sys.argv[2:])
print(f"{n} handlers with helpers, one thread, instructions (callgrind):")
for label, value in [("swc parse only (read + parse)", parse), ("migrate check --format json", check), ("migrate check --format json-pretty", pretty), ("migrate apply --diff", apply_)]:
    print(f"  {label:39} {value / 1e6:9.1f} M   {value / parse:.2f}x")
PY
