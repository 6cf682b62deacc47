#!/usr/bin/env bash
# Installs the system programs the test suite uses for real (Debian packages), when they are missing:
# Chromium renders the HTML report, pre-commit runs our hook, python3 (with torch) checks fixed files, Neovim
# is the real LSP client of the language server tests.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# Goldens and fix checks ask real PyTorch: Debian's python3-torch, for the system python3.
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "missing ${need[*]}: install them (Debian: apt-get install ${need[*]}); the tests that use them will fail" >&2
fi
