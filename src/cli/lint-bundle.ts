/**
 * Where the CLI's lint command comes from. In the built CLI it is a CommonJS bundle of its own beside the entry
 * (`scripts/build.mjs` writes `lint-<hash>.cjs` and names it here), evaluated through V8's code cache
 * (`code-cache.ts`): the cache built with the bundle, or one this user's runs wrote when that one does not fit the
 * runtime. From the sources (tests, the compiled library) it is the module itself.
 */
import { existsSync } from "node:fs";
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
 * Evaluates the lint bundle with the given cache files. The build warms the cache up through this function too, so
 * that the script it compiles is the one every run compiles (V8 checks little more than its length).
 */
export function loadLintBundle(file: string, files: CacheFiles): CachedBundle<typeof LintCommand> {
  return loadCachedBundle<typeof LintCommand>(file, lintBundleGlobals(file), files);
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
