/**
 * Where the CLI's lint command comes from. In the built CLI it is a CommonJS bundle of its own beside the entry
 * (`scripts/build.mjs` writes `lint-<hash>.cjs` and names it here), evaluated through V8's code cache
 * (`code-cache.ts`): the cache built with the bundle, or one this user's runs wrote when that one does not fit the
 * runtime. From the sources (tests, the compiled library) it is the module itself.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cacheFileName, loadCachedBundle, userCacheDir, type CacheFiles, type CachedBundle } from "./code-cache.js";
import type * as LintCommand from "./lint-command.js";

/** The lint bundle's file name, set by the CLI build; undefined when running from the sources. */
declare const __OPTIM_LINT_BUNDLE__: string | undefined;

/** The lint command and what to do once it has run. */
export interface LoadedLintCommand {
  command: typeof LintCommand;
  /** Writes the code cache for the next run when this one had none. */
  finish(): void;
}

/** The lint bundle beside this module (which may sit in a chunk one folder down), if this is the built CLI. */
function bundleFile(): string | undefined {
  if (typeof __OPTIM_LINT_BUNDLE__ !== "string") return undefined;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, __OPTIM_LINT_BUNDLE__), path.join(here, "..", __OPTIM_LINT_BUNDLE__)].find((file) => existsSync(file));
}

/**
 * V8 flags the lint command runs under, set before its bundle compiles: no TurboFan, and regular expressions compiled
 * to machine code on their first match. A lint run executes most of its
 * code a few times per file, and TurboFan spent more CPU compiling the analysis' large functions (up to 200 ms each)
 * than their optimized code saved: without it, nanoGPT's pre-commit run took about 0.4 of a bare `node -e 0` less
 * (CPU and wall), timm's 315 files 0.6 of the time, and the 4,086-file corpus the same time (see docs/ARCHITECTURE.md,
 * Speed). Flags are part of what V8 checks a code cache against, so the build's warm-up sets them too (through
 * `loadLintBundle`). A run that spreads files over worker threads turns TurboFan back on before they start, and so
 * does any run once enough text has passed the prefilter (`src/cli/lint-paths.ts`): there it pays.
 *
 * By default V8 first compiles a regular expression to bytecode for its interpreter and compiles it again to machine
 * code when it runs a second time; nearly every pattern of a run (the prefilter's, the analysis' name tests) runs more
 * than once, so a pre-commit run compiled most of its 80-odd patterns twice: 21M instructions, 2.3% of the run (V8
 * keeps no compiled pattern in the code cache). With no interpreter runs before the tier-up, each pattern made from
 * now on is compiled once, to machine code. Not `--no-regexp-tier-up`: switched at run time, V8 then ran a pattern
 * compiled before the switch (to bytecode) as machine code and crashed; the ticks only count for patterns made after.
 */
export const LINT_V8_FLAGS = "--no-opt --regexp-tier-up-ticks=0";

/**
 * Evaluates the lint bundle with the given cache files, under `LINT_V8_FLAGS`. The build warms the cache up through
 * this function too, so that the script it compiles is the one every run compiles (V8 checks little more than its
 * length) under the same flags.
 */
export function loadLintBundle(file: string, files: CacheFiles): CachedBundle<typeof LintCommand> {
  // node:v8 is required here rather than imported: the entry would load it (and the stream modules it needs) for --version too.
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString(LINT_V8_FLAGS);
  const bundle = loadCachedBundle<typeof LintCommand>(file, lintBundleGlobals(file), files);
  // A parallel run turns TurboFan back on (src/cli/lint-paths.ts): the cache it writes is for the flags runs start with.
  return {
    ...bundle,
    finish: () => {
      v8.setFlagsFromString(LINT_V8_FLAGS);
      return bundle.finish();
    },
  };
}

/**
 * The free variables of the lint bundle (the build wraps it in a function taking them): its `import.meta.url`, and
 * `import()` for what must stay an ES module import (a formatter module).
 */
export function lintBundleGlobals(file: string): { __optimLintUrl: string; __optimLintImport: (specifier: string) => Promise<unknown> } {
  return { __optimLintUrl: pathToFileURL(file).href, __optimLintImport: (specifier: string) => import(specifier) };
}

/** Loads the lint command: the code-cached bundle in the built CLI, else the module. */
export async function loadLintCommand(): Promise<LoadedLintCommand> {
  const file = bundleFile();
  if (file === undefined) return { command: await import("./lint-command.js"), finish: () => undefined };
  const name = cacheFileName(file);
  const userDir = userCacheDir();
  const userCache = userDir === undefined ? undefined : path.join(userDir, name);
  // This user's cache first: it exists only where the one built beside the bundle did not fit the runtime.
  const bundle = loadLintBundle(file, { candidates: [...(userCache ? [userCache] : []), path.join(path.dirname(file), name)], writeTo: userCache });
  return { command: bundle.exports, finish: () => void bundle.finish() };
}
