#!/usr/bin/env bash
# Installs the system programs the test suite uses for real (Debian packages), when they are missing:
# Chromium renders the HTML report, pre-commit runs our hook, python3 checks fixed files, Neovim is the
# real LSP client of the language server tests.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
command -v python3 >/dev/null 2>&1 || need+=(python3)
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
