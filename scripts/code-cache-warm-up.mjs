// Run by scripts/build.mjs in a process of its own: lints a sample project (its report discarded) with the CLI's lint
// bundle, then writes V8's code cache of the bundle beside it, named for this runtime started without flags.
// `node scripts/code-cache-warm-up.mjs <dist/cli/lint-<hash>.cjs> <folder to lint>`
import path from "node:path";
import { cacheFileName, runtimeTag } from "../dist/src/cli/code-cache.js";
import { loadLintBundle } from "../dist/src/cli/lint-bundle.js";

const [file, folder] = process.argv.slice(2);
const target = path.join(path.dirname(file), cacheFileName(file, runtimeTag([], "")));
const bundle = loadLintBundle(file, { candidates: [], writeTo: target });
await bundle.exports.runLint([folder], path.dirname(folder));
if (bundle.finish() !== target) throw new Error(`could not write the code cache ${target}`);
