#!/usr/bin/env node
// Thin launcher: checks the Node version, then runs the CLI entry (`npm run build` writes it). Both are CommonJS:
// a run that loads no ES module (--help, --version, linting) never sets up Node's ES module loader.
"use strict";
const [major] = process.versions.node.split(".").map(Number);
if (major < 20) {
  process.stderr.write(`optim-lint needs Node.js 20 or newer (found ${process.versions.node}).\n`);
  process.exit(2);
}
const { main } = require("../dist/cli/optim-lint.cjs");
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
