#!/usr/bin/env bash
# Places the benchmark corpus in bench/corpus/ (git-ignored): the Python files of five public training
# code bases, one folder each. `npm run bench` uses it when present, the Python standard library otherwise.
#
# Each repository comes from a local git directory when one is given (MIRRORS=/path, holding
# <owner>+<name>/repo or <owner>+<name>.git), else from a shallow clone of GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=bench/corpus
REPOS=(
  "karpathy/nanoGPT nanoGPT"
  "huggingface/pytorch-image-models timm"
  "Lightning-AI/pytorch-lightning pytorch-lightning"
  "facebookresearch/fairseq fairseq"
  "huggingface/diffusers diffusers"
)
mkdir -p "$DEST"
for entry in "${REPOS[@]}"; do
  read -r slug name <<<"$entry"
  target="$DEST/$name"
  if [ -d "$target" ]; then echo "$target: present, kept"; continue; fi
  gitdir=""
  for candidate in "${MIRRORS:-}/${slug/\//+}/repo" "${MIRRORS:-}/${slug/\//+}.git"; do
    if [ -n "${MIRRORS:-}" ] && git --git-dir="$candidate" rev-parse HEAD >/dev/null 2>&1; then gitdir=$candidate; break; fi
  done
  tmp=""
  if [ -z "$gitdir" ]; then
    tmp=$(mktemp -d)
    git clone --quiet --depth 1 --bare "https://github.com/$slug.git" "$tmp/repo.git"
    gitdir="$tmp/repo.git"
  fi
  mkdir -p "$target.partial"
  # Only the Python sources: the linter reads nothing else from these trees.
  git --git-dir="$gitdir" archive HEAD -- ':(glob)**/*.py' | tar -x -C "$target.partial"
  git --git-dir="$gitdir" rev-parse HEAD >"$target.partial/.commit"
  mv "$target.partial" "$target"
  [ -n "$tmp" ] && rm -rf "$tmp"
  echo "$target: $(find "$target" -name '*.py' | wc -l) Python files at $(cat "$target/.commit")"
done
