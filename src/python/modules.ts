/**
 * Python module lookup within a project, as the interpreter would find a module imported by a file: from the
 * file's own folder (the entry script's folder when it is run), then from the project root (the folder holding
 * `pyproject.toml`, `setup.py`, `setup.cfg` or `.git`) and its `src/`. Relative imports start at the file's package.
 * Nothing is imported or executed; only the existence of files is asked.
 */
import path from "node:path";

/** What lookup needs from the project: whether a file exists. */
export interface FileExistence {
  exists(filePath: string): boolean;
}

/** A module file and the name an import reads from it (absent: the module itself). */
export interface ModuleTarget {
  file: string;
  name?: string;
}

/** Files that mark a project root. */
const ROOT_MARKERS = ["pyproject.toml", "setup.py", "setup.cfg", path.join(".git", "HEAD"), ".git"];

/** How many folders up a project root is looked for. */
const MAX_ROOT_DEPTH = 16;

export class ModuleFinder {
  private readonly roots = new Map<string, string | undefined>();
  private readonly found = new Map<string, ModuleTarget | undefined>();
  private readonly existing = new Map<string, boolean>();

  constructor(private readonly files: FileExistence) {}

  /** Whether a file exists, asked of the project once per path. */
  private exists(filePath: string): boolean {
    let known = this.existing.get(filePath);
    if (known === undefined) this.existing.set(filePath, (known = this.files.exists(filePath)));
    return known;
  }

  /** The project module an import path names from a file (`model.GPT`, `trainer.optim`, `.optim.build`), if the project has it. */
  find(fromFile: string, importPath: string): ModuleTarget | undefined {
    const dir = path.dirname(fromFile);
    const key = `${dir}\0${importPath}`;
    if (this.found.has(key)) return this.found.get(key);
    const result = this.lookup(dir, importPath);
    this.found.set(key, result);
    return result;
  }

  private lookup(dir: string, importPath: string): ModuleTarget | undefined {
    const dots = /^\.*/.exec(importPath)![0].length;
    const segments = importPath.slice(dots).split(".").filter((s) => s.length > 0);
    if (dots > 0) {
      let base = dir;
      for (let i = 1; i < dots; i++) base = path.dirname(base);
      return this.inFolder(base, segments, true);
    }
    if (segments.length === 0) return undefined;
    for (const root of this.searchFolders(dir)) {
      const target = this.inFolder(root, segments, false);
      if (target) return target;
    }
    return undefined;
  }

  /** The folders an absolute import is searched in, first match wins. */
  private searchFolders(dir: string): string[] {
    const root = this.projectRoot(dir);
    const folders = [dir];
    if (root !== undefined) folders.push(root, path.join(root, "src"));
    return [...new Set(folders)];
  }

  /** The nearest folder at or above `dir` that holds a project marker. */
  projectRoot(dir: string): string | undefined {
    if (this.roots.has(dir)) return this.roots.get(dir);
    let root: string | undefined;
    let current = dir;
    for (let i = 0; i < MAX_ROOT_DEPTH; i++) {
      if (ROOT_MARKERS.some((marker) => this.exists(path.join(current, marker)))) {
        root = current;
        break;
      }
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    this.roots.set(dir, root);
    return root;
  }

  /**
   * The module `segments` names under a folder (`a/b.py` or `a/b/__init__.py`), or the module one segment shorter
   * and the name read from it. A relative import may name the package itself (`from . import x` reads `x` of `__init__.py`).
   */
  private inFolder(base: string, segments: readonly string[], relative: boolean): ModuleTarget | undefined {
    const n = segments.length;
    for (let k = n; k >= Math.max(relative ? 0 : 1, n - 1); k--) {
      const file = this.moduleFile(path.join(base, ...segments.slice(0, k)), k === 0);
      if (file) return k === n ? { file } : { file, name: segments[n - 1] };
    }
    return undefined;
  }

  /** The file of a module at a path without extension: a `.py` file, or a package's `__init__.py`. */
  private moduleFile(stem: string, packageOnly: boolean): string | undefined {
    if (!packageOnly && this.exists(`${stem}.py`)) return `${stem}.py`;
    const init = path.join(stem, "__init__.py");
    return this.exists(init) ? init : undefined;
  }
}
