#!/usr/bin/env node
// Thin launcher: checks the Node version, then runs the CLI bundle (`npm run build` writes it).
const [major] = process.versions.node.split(".").map(Number);
if (major < 20) {
  process.stderr.write(`optim-lint needs Node.js 20 or newer (found ${process.versions.node}).\n`);
  process.exit(2);
}
const { main } = await import("../dist/cli/optim-lint.mjs");
process.exitCode = await main(process.argv.slice(2));
