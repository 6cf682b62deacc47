/**
 * Running a CommonJS bundle with V8's code cache. Node 20 has no compile cache for modules, so the CLI compiles its
 * lint bundle through `vm.Script`: given the cached data of an earlier run, V8 neither parses the file nor compiles
 * again the functions that run used (the data is taken after a run, so it holds them). The data is only valid for
 * one V8 build, one set of V8 flags and one text of the bundle, and V8 checks little more than the text's length: a
 * cache file is therefore named by the bundle (whose name carries a hash of its content) and by a tag of the runtime.
 * A cache V8 rejects is ignored (the script compiles from source), and a run that had no usable cache writes one for
 * the next run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Script } from "node:vm";

/** A bundle evaluated through the code cache. */
export interface CachedBundle<T> {
  /** What the bundle put in `module.exports`. */
  exports: T;
  /** The cache file V8 accepted, or undefined when the bundle was compiled from source. */
  acceptedCache: string | undefined;
  /**
   * After the run: writes the cache for the next run to `writeTo` when no cache was accepted. Returns the file
   * written, or undefined (nothing to write, or the folder is not writable: that costs speed, never the run).
   */
  finish(): string | undefined;
}

export interface CacheFiles {
  /** Cache files to use, in order of preference; the first that exists is given to V8 (a rejected one is not retried with the next). */
  candidates: readonly string[];
  /** Where a run without an accepted cache writes one. */
  writeTo?: string;
}

/** 32-bit FNV-1a of a string, in hex: short names, no crypto module to load. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/**
 * The runtime a code cache belongs to: V8's version, the architecture, and the flags this process was started with
 * (they may change V8's flag hash). The same node started without flags always gets the same tag.
 */
export function runtimeTag(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): string {
  const flags = [...execArgv, nodeOptions].join(" ").trim();
  return `${process.versions.v8.replace(/[^\w.-]/g, "_")}-${process.arch}${flags === "" ? "" : `-${fnv1a(flags)}`}`;
}

/** The cache file of a bundle for a runtime, in a folder. */
export function cacheFileName(bundle: string, tag = runtimeTag()): string {
  return `${path.basename(bundle)}.${tag}.cache`;
}

/** The per-user cache folder for optim-lint (XDG on Linux, the platform's cache folder elsewhere); undefined without a home. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, "optim-lint");
  if (process.platform === "win32") return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, "optim-lint", "Cache") : undefined;
  const home = os.homedir();
  if (!home) return undefined;
  return process.platform === "darwin" ? path.join(home, "Library", "Caches", "optim-lint") : path.join(home, ".cache", "optim-lint");
}

/** A file's bytes, or undefined when it cannot be read. */
function readBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The parameters of a bundle's function, in order: Node's module arguments, then the bundle's own free variables. */
export function bundleParameters(extra: readonly string[]): string[] {
  return ["exports", "require", "module", "__filename", "__dirname", ...extra];
}

/**
 * The text a CommonJS bundle is wrapped in by its build, so that the file is one function expression taking
 * `bundleParameters(extra)`: compiled as it is read, with no copy of the text to wrap it at each start.
 */
export function bundleWrapper(extra: readonly string[]): { banner: string; footer: string } {
  return { banner: `(function (${bundleParameters(extra).join(", ")}) {`, footer: "})" };
}

/**
 * Compiles a bundle written with `bundleWrapper(Object.keys(extra))` (ASCII only: it is read as Latin-1, the
 * cheapest decoding) with the first cache candidate that exists, and calls it as Node would run a CommonJS module,
 * with the values of `extra` after Node's arguments.
 */
export function loadCachedBundle<T>(file: string, extra: Readonly<Record<string, unknown>>, files: CacheFiles): CachedBundle<T> {
  const source = readFileSync(file, "latin1");
  const candidate = files.candidates.find((c) => existsSync(c));
  const cachedData = candidate === undefined ? undefined : readBytes(candidate);
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const acceptedCache = cachedData && !script.cachedDataRejected ? candidate : undefined;
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), ...Object.values(extra));
  return {
    exports: module.exports,
    acceptedCache,
    finish: () => (acceptedCache === undefined && files.writeTo !== undefined ? writeCache(script, files.writeTo) : undefined),
  };
}

/** Writes a script's code cache atomically and removes the caches of older bundles for the same runtime; undefined on failure. */
function writeCache(script: Script, target: string): string | undefined {
  const dir = path.dirname(target);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, target);
  } catch {
    rmSync(temporary, { force: true });
    return undefined;
  }
  // Caches of the bundles an upgrade replaced: same runtime tag and bundle stem, other content hash.
  const [stem] = path.basename(target).split("-");
  const suffix = path.basename(target).slice(path.basename(target).indexOf("."));
  try {
    for (const name of readdirSync(dir)) {
      if (name !== path.basename(target) && name.startsWith(`${stem}-`) && name.endsWith(suffix)) rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // Leftovers cost disk space only.
  }
  return target;
}
