// `npm run docs`: writes the rule pages (docs/rules/*.md), the README's rule table and the settings' JSON Schema
// (schema/optim-lint.schema.json) from the rules' metadata and our own types, read with ts-morph. The generator is
// TypeScript (scripts/docs/generate.ts); esbuild bundles our code for Node and leaves the packages external.
// `--check` writes nothing and exits 1 when a file is stale (the test in test/docs/generated.test.ts does the same).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "scripts", "docs-generate.mjs");

await build({
  absWorkingDir: ROOT,
  entryPoints: ["scripts/docs/generate.ts"],
  outfile: OUT,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
const { generateDocs } = await import(pathToFileURL(OUT).href);
const check = process.argv.includes("--check");
const files = generateDocs(ROOT, readFileSync(join(ROOT, "README.md"), "utf8"));
const stale = [];
for (const [relative, text] of files) {
  const file = join(ROOT, relative);
  if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
  stale.push(relative);
  if (check) continue;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
if (check && stale.length > 0) {
  process.stderr.write(`Stale generated files (run npm run docs): ${stale.join(", ")}\n`);
  process.exit(1);
}
process.stdout.write(stale.length > 0 ? `${check ? "Stale" : "Wrote"}: ${stale.join(", ")}\n` : "Generated files are up to date.\n");
