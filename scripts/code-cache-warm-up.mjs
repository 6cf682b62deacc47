// Run by scripts/build.mjs in a process of its own: lints sample projects (their reports discarded), each as a run of
// its own from its folder, with the CLI's lint bundle, then writes V8's code cache of the bundle beside it, named for
// this runtime started without flags. The cache holds the functions these runs compiled; a function a later run needs
// beyond them is compiled from source in that run.
// `node scripts/code-cache-warm-up.mjs <dist/cli/lint-<hash>.cjs> <folder to lint>...`
import path from "node:path";
import { cacheFileName, runtimeTag } from "../dist/src/cli/code-cache.js";
import { loadLintBundle } from "../dist/src/cli/lint-bundle.js";

const [file, ...folders] = process.argv.slice(2);
const target = path.join(path.dirname(file), cacheFileName(file, runtimeTag([], "")));
const bundle = loadLintBundle(file, { candidates: [], writeTo: target });
for (const folder of folders) await bundle.exports.runLint([folder], folder);
if (bundle.finish() !== target) throw new Error(`could not write the code cache ${target}`);
