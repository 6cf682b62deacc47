#!/usr/bin/env bash
# Checks that the published package works outside this repository: `npm pack`, install the tarball
# globally into a temporary prefix, and run the installed `optim-lint` on a scratch project, with no
# TypeScript anywhere on the way. Exit status 0 when every step works.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
npm run build >/dev/null
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
# The listing goes through a file: `grep -q` closing a pipe early would fail `tar` under pipefail.
tar -tzf "$work/$tarball" > "$work/contents.txt"
grep -q '^package/dist/cli/optim-lint.cjs$' "$work/contents.txt" || { echo "dist/ is missing from $tarball" >&2; exit 1; }
if grep '\.ts$' "$work/contents.txt" | grep -vq '\.d\.ts$'; then echo "TypeScript sources in $tarball" >&2; exit 1; fi
npm install --global --prefix "$work/prefix" --no-audit --no-fund --ignore-scripts=false "$work/$tarball" >/dev/null
test ! -e "$work/prefix/lib/node_modules/optim-lint/node_modules/typescript" || { echo "typescript was installed" >&2; exit 1; }
mkdir "$work/project"
printf 'import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n' > "$work/project/train.py"
cd "$work/project"
set +e
"$work/prefix/bin/optim-lint" --format compact train.py > out.txt
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected exit 1, got $status" >&2; cat out.txt >&2; exit 1; }
grep -q 'OPT001' out.txt || { echo "no OPT001 finding" >&2; cat out.txt >&2; exit 1; }
"$work/prefix/bin/optim-lint" --version
echo "npm pack + npm i -g: the installed optim-lint lints a scratch project" >&2
