/**
 * Finding the files to lint: folders are walked honoring nested `.gitignore` files, configured excludes and
 * the default excludes (VCS, build, dependency, cache and virtual-environment folders), following symlinks
 * without looping and listing each file once.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { globMatcher, type PathMatcher } from "../config/globs.js";
import type { ProjectConfig } from "../config/load.js";
import { listingOf, type Listing } from "./read.js";

/** The path of an entry named `name` in the folder `dir` (an absolute, normalized path): `path.join` without normalizing again. */
function below(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/** Version-control folders: never walked into, even with `--no-ignore`. */
const VCS_DIRS = new Set([".git", ".hg", ".svn", ".bzr"]);

/**
 * Folder names skipped by default when walking (Ruff's default excludes, plus caches of Python and of this
 * tool). `--no-ignore` walks them. Paths named on the command line are linted even inside them.
 * README.md documents this list; keep them in step.
 */
export const DEFAULT_EXCLUDED_DIRS: readonly string[] = [
  ".direnv",
  ".eggs",
  ".git-rewrite",
  ".ipynb_checkpoints",
  ".mypy_cache",
  ".nox",
  ".optim-lint-cache",
  ".pants.d",
  ".pyenv",
  ".pytest_cache",
  ".pytype",
  ".ruff_cache",
  ".tox",
  ".venv",
  ".vscode",
  "__pycache__",
  "__pypackages__",
  "_build",
  "buck-out",
  "build",
  "dist",
  "node_modules",
  "site-packages",
  "venv",
];
const SKIPPED_DIRS = new Set(DEFAULT_EXCLUDED_DIRS);

/** The rules of one `.gitignore` file, anchored at its folder. */
interface IgnoreLayer {
  dir: string;
  rules: Ignore;
}

export interface WalkOptions {
  cwd: string;
  /** Skip .gitignore rules and configured excludes. */
  noIgnore: boolean;
  /** Apply configured excludes to explicitly named files. */
  forceExclude: boolean;
  /** The configuration covering a folder's entries. */
  configFor(dir: string): ProjectConfig | undefined;
  /** Whether some language adapter lints this file (decides which files a folder contributes). */
  handles(file: string): boolean;
}

export interface WalkResult {
  /** Absolute paths, in a stable order, each once (a file reached through symlinks too is listed once). */
  files: string[];
  /** Files named on the command line that are not linted, and why. */
  skipped: { path: string; reason: string; excluded: boolean }[];
  /** Folders that could not be read. */
  errors: { path: string; message: string }[];
  /** Per folder walked (by the path the walk reached it through), its entries as `diskHost` lists them (`Listing`). */
  listings: Map<string, Listing>;
}

/** The `.gitignore` layer of a folder, if it has one. */
function ignoreLayer(dir: string): IgnoreLayer | undefined {
  const file = path.join(dir, ".gitignore");
  if (!existsSync(file)) return undefined;
  try {
    return { dir, rules: ignore().add(readFileSync(file, "utf8")) };
  } catch {
    return undefined;
  }
}

/** Whether the deepest `.gitignore` that has an opinion about a path ignores it. */
function gitIgnored(absolute: string, isDir: boolean, layers: readonly IgnoreLayer[]): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const rel = path.relative(layers[i].dir, absolute).split(path.sep).join("/");
    if (rel === "" || rel.startsWith("..")) continue;
    const verdict = layers[i].rules.test(isDir ? `${rel}/` : rel);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/** The folder where `.gitignore` lookup above a walk root stops: the repository root, else the working folder. */
function ignoreBoundary(root: string, cwd: string): string {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const rel = path.relative(cwd, root);
  return rel.startsWith("..") || path.isAbsolute(rel) ? root : cwd;
}

/** `.gitignore` layers of the folders above a walk root, outermost first. */
function ancestorLayers(root: string, cwd: string): IgnoreLayer[] {
  const boundary = ignoreBoundary(root, cwd);
  const dirs: string[] = [];
  for (let dir = root; dir !== boundary && path.dirname(dir) !== dir; ) {
    dir = path.dirname(dir);
    dirs.unshift(dir);
  }
  return dirs.flatMap((dir) => ignoreLayer(dir) ?? []);
}

/** Whether a folder is a Python virtual environment or one of the default excludes. */
function isSkippedDir(dir: string): boolean {
  return SKIPPED_DIRS.has(path.basename(dir)) || existsSync(path.join(dir, "pyvenv.cfg"));
}

/** Configured excludes, each relative to the folder of the configuration covering the path. */
export class Excludes {
  private readonly matchers = new Map<ProjectConfig, PathMatcher>();

  constructor(private readonly configFor: (dir: string) => ProjectConfig | undefined) {}

  /** Whether configuration excludes a path (a file or folder). */
  excluded(absolute: string): boolean {
    const config = this.configFor(path.dirname(absolute));
    if (!config || config.exclude.length === 0) return false;
    let matcher = this.matchers.get(config);
    if (!matcher) {
      matcher = globMatcher(config.dir, config.exclude);
      this.matchers.set(config, matcher);
    }
    return matcher(absolute);
  }
}

/** Walks folders and collects files; one instance per run so excludes and visited folders are shared. */
export class FileWalker {
  private readonly visited = new Set<string>();
  private readonly excludes: Excludes;
  private readonly files = new Set<string>();
  /** Real paths of the files collected, so that a file reached twice through symlinks is linted once. */
  private readonly realFiles = new Set<string>();
  private readonly errors: WalkResult["errors"] = [];
  private readonly skipped: WalkResult["skipped"] = [];
  private readonly listings: WalkResult["listings"] = new Map();

  constructor(private readonly options: WalkOptions) {
    this.excludes = new Excludes(options.configFor);
  }

  /** The files named by the paths (already checked to exist), folders walked. */
  collect(paths: readonly string[]): WalkResult {
    for (const given of paths) {
      const absolute = path.resolve(this.options.cwd, given);
      if (statSync(absolute).isDirectory()) {
        this.walkRoot(absolute);
      } else if (this.options.forceExclude && !this.options.noIgnore && this.excluded(absolute)) {
        this.skipped.push({ path: given, reason: "excluded by the configuration (--force-exclude)", excluded: true });
      } else if (!this.options.handles(absolute)) {
        this.skipped.push({ path: given, reason: "not a supported file type", excluded: false });
      } else {
        this.addFile(absolute);
      }
    }
    return { files: [...this.files], errors: this.errors, skipped: this.skipped, listings: this.listings };
  }

  /**
   * Adds a file unless the same file (by real path) is already in. `known` is its real path when the walk knows it (a
   * plain file listed in a folder whose real path it knows): then no system call is made.
   */
  private addFile(absolute: string, known?: string): void {
    let real = known ?? absolute;
    if (known === undefined) {
      try {
        // The native call: one system call, where the JavaScript one reads every folder of the path.
        real = realpathSync.native(absolute);
      } catch {
        // An unreadable path is still linted, and reported there.
      }
    }
    if (this.realFiles.has(real)) return;
    this.realFiles.add(real);
    this.files.add(absolute);
  }

  private excluded(absolute: string): boolean {
    return this.excludes.excluded(absolute);
  }

  private walkRoot(root: string): void {
    const layers = this.options.noIgnore ? [] : ancestorLayers(root, this.options.cwd);
    if (this.options.forceExclude && !this.options.noIgnore && this.excluded(root)) return;
    this.walkDir(root, layers);
  }

  /** Walks a folder; `known` is its real path when the walk knows it (a plain folder listed in one whose real path it knows). */
  private walkDir(dir: string, inherited: readonly IgnoreLayer[], known?: string): void {
    let real: string;
    let entries: Dirent[];
    try {
      real = known ?? realpathSync(dir);
      if (this.visited.has(real)) return;
      this.visited.add(real);
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      this.errors.push({ path: dir, message: (error as Error).message });
      return;
    }
    // Kept for the project pass's module lookup, which asks about the files of most folders of the run.
    this.listings.set(dir, listingOf(entries));
    const own = this.options.noIgnore ? undefined : ignoreLayer(dir);
    const layers = own ? [...inherited, own] : inherited;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolute = below(dir, entry.name);
      const isDir = this.isDirectory(entry, absolute);
      if (isDir === undefined) continue;
      if (isDir && (VCS_DIRS.has(entry.name) || (!this.options.noIgnore && isSkippedDir(absolute)))) continue;
      if (!this.options.noIgnore && (gitIgnored(absolute, isDir, layers) || this.excluded(absolute))) continue;
      // An entry that is not a symbolic link has its real path below the folder's: asking for it would cost a system call per file.
      const linked = entry.isSymbolicLink();
      if (isDir) this.walkDir(absolute, layers, linked ? undefined : below(real, entry.name));
      else if (this.options.handles(absolute)) this.addFile(absolute, linked ? undefined : below(real, entry.name));
    }
  }

  /** Whether an entry is a folder (following symlinks); undefined for broken links and special files. */
  private isDirectory(entry: Dirent, absolute: string): boolean | undefined {
    if (entry.isDirectory()) return true;
    if (entry.isFile()) return false;
    if (!entry.isSymbolicLink()) return undefined;
    try {
      const target = statSync(absolute);
      return target.isDirectory() ? true : target.isFile() ? false : undefined;
    } catch {
      return undefined;
    }
  }
}
