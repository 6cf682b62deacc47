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
  /** Whether a path is a folder (undefined: cannot tell), which lets lookup skip the files below one that is not. */
  isFolder?(filePath: string): boolean | undefined;
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
  private readonly inFolders = new Map<string, ModuleTarget | undefined>();

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
    // Files of one project search its root for the same paths: each answer is kept per folder.
    const key = `${base}\0${segments.join(".")}\0${relative}`;
    if (this.inFolders.has(key)) return this.inFolders.get(key);
    const found = this.searchFolder(base, segments, relative);
    this.inFolders.set(key, found);
    return found;
  }

  private searchFolder(base: string, segments: readonly string[], relative: boolean): ModuleTarget | undefined {
    const n = segments.length;
    // No folder named by the first segment: no module two or more segments deep below it.
    const deep = n < 2 || this.files.isFolder?.(path.join(base, segments[0])) !== false;
    for (let k = n; k >= Math.max(relative ? 0 : 1, n - 1); k--) {
      if (k >= 2 && !deep) continue;
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


/** The rest of a statement from `at`: to a closing parenthesis when it opens one, else to the end of its logical line or a `;`. */
function statementRest(text: string, at: number): string {
  let i = at;
  while (i < text.length && (text[i] === " " || text[i] === "\t" || (text[i] === "\\" && text[i + 1] === "\n"))) i += text[i] === "\\" ? 2 : 1;
  if (text[i] === "(") {
    const close = text.indexOf(")", i);
    return text.slice(i + 1, close < 0 ? text.length : close);
  }
  let end = i;
  for (; end < text.length; end++) {
    const c = text[end];
    if (c === "\\" && text[end + 1] === "\n") end++;
    else if (c === "\n" || c === ";" || c === "#") break;
  }
  return text.slice(i, end);
}

/** One module an import statement asks the lookup for, as name resolution asks it. */
export interface ImportRequest {
  /** `a.b.c` for `from a.b import c` (`.c` for `from . import c`), `a.b` for `import a.b as x`, `a` for `import a.b`. */
  path: string;
  /** Whether the name it binds may be a module, whose attributes (`x.sub.fn`) reach the modules below it. */
  module: boolean;
}

/**
 * The modules a Python text's imports make name resolution look up. Read from the raw text, without parsing:
 * comments and strings that look like imports add requests, which only costs lookups; every import statement the
 * parser sees is found (parenthesized and continued lines included).
 */
export function importRequests(text: string): ImportRequest[] {
  const out: ImportRequest[] = [];
  for (let at = text.indexOf("import"); at >= 0; at = text.indexOf("import", at + 6)) {
    if ((at > 0 && /\w/.test(text[at - 1])) || /\w/.test(text[at + 6] ?? "")) continue;
    const from = fromModule(text, at);
    const rest = statementRest(text, at + 6).replace(/#[^\n]*/g, "");
    for (const item of rest.split(",")) {
      const words = item.replace(/\\\n/g, " ").trim().split(/\s+/);
      const name = words[0];
      if (!name || !/^[.\w]+$/.test(name)) continue;
      if (from !== undefined) out.push({ path: from.endsWith(".") ? `${from}${name}` : `${from}.${name}`, module: true });
      else out.push({ path: words[1] === "as" ? name : name.split(".")[0], module: true });
    }
  }
  return out;
}

const WORD = /[\w.]/;

/** The module of `from <module> import` when the `import` at `at` ends one, read backwards. */
function fromModule(text: string, at: number): string | undefined {
  let i = at - 1;
  const blank = (c: string | undefined) => c === " " || c === "\t" || (c === "\n" && text[i - 1] === "\\");
  const skip = () => {
    while (i >= 0 && blank(text[i])) i -= text[i] === "\n" ? 2 : 1;
  };
  skip();
  const end = i + 1;
  while (i >= 0 && WORD.test(text[i])) i--;
  const module = text.slice(i + 1, end);
  if (module.length === 0) return undefined;
  // `from.pkg import x` has no blank after `from`.
  if (/^from\./.test(module) && !/\w/.test(text[i] ?? "")) return module.slice(4);
  skip();
  return i >= 3 && text.startsWith("from", i - 3) && !/\w/.test(text[i - 4] ?? "") ? module : undefined;
}

/** What one file's imports lead to: module files whose names it reads, and package folders whose modules its attributes may reach. */
interface ImportStep {
  files: readonly string[];
  folders: readonly string[];
}

/**
 * Which files' code can reach a module's definitions through imports: the modules a file's imports name (and, for a
 * package bound as a module, the modules below it), and all those reached through theirs. A call in one file can run
 * a function of another only when the other is reached so (or is the file itself), which lets the project pass leave
 * most files of a large run unparsed. `files` lists the known Python files (those of the run and read for it); the
 * import graph is read once, from their texts and the modules they lead to, and walked backwards from each target.
 */
/** The import graph backwards: per file, the files whose imports name it; per package folder, the files that bind it as a module. */
export interface ImportGraph {
  importers: Map<string, string[]>;
  folderUsers: Map<string, string[]>;
}

export class ImportReach {
  private readonly steps = new Map<string, ImportStep>();
  private graph: ImportGraph | undefined;
  private readonly reachers = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly finder: ModuleFinder,
    /** The lookups a file's imports make (`importRequests` of its text); undefined when it cannot be read. */
    private readonly requestsOf: (filePath: string) => readonly ImportRequest[] | undefined,
    private readonly files: () => readonly string[],
    /** The graph of these files when another thread computed it (`backwards` of an equal reach): then nothing is read. */
    private readonly given?: () => ImportGraph | undefined,
  ) {}

  /** The module files and package folders a file's imports lead to in one step (normalized paths). */
  step(filePath: string): ImportStep {
    const key = path.normalize(filePath);
    let known = this.steps.get(key);
    if (!known) {
      const files = new Set<string>();
      const folders = new Set<string>();
      for (const request of this.requestsOf(key) ?? []) {
        const target = this.finder.find(key, request.path);
        if (!target) continue;
        const file = path.normalize(target.file);
        files.add(file);
        // A module bound by name (no value of it named): its attributes may name any module below its package.
        if (target.name === undefined && request.module && path.basename(file) === "__init__.py") folders.add(path.dirname(file));
      }
      files.delete(key);
      this.steps.set(key, (known = { files: [...files], folders: [...folders] }));
    }
    return known;
  }

  /** The import graph backwards, over the known files and every module their imports lead to. */
  backwards(): ImportGraph {
    if (this.graph) return this.graph;
    const given = this.given?.();
    if (given) return (this.graph = given);
    const importers = new Map<string, string[]>();
    const folderUsers = new Map<string, string[]>();
    const add = (map: Map<string, string[]>, key: string, file: string) => {
      const list = map.get(key);
      if (list) list.push(file);
      else map.set(key, [file]);
    };
    const queue = this.files().map((f) => path.normalize(f));
    const seen = new Set(queue);
    while (queue.length > 0) {
      const file = queue.pop()!;
      const step = this.step(file);
      for (const target of step.files) {
        add(importers, target, file);
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
      for (const folder of step.folders) add(folderUsers, folder, file);
    }
    return (this.graph = { importers, folderUsers });
  }

  /** The files whose code can reach a module's definitions (the module itself included). */
  private reaching(target: string): ReadonlySet<string> {
    let known = this.reachers.get(target);
    if (!known) {
      const { importers, folderUsers } = this.backwards();
      const out = new Set<string>([target]);
      const queue = [target];
      while (queue.length > 0) {
        const file = queue.pop()!;
        const from = [...(importers.get(file) ?? [])];
        // Files that bind a package above this module as a module reach it through attributes.
        for (let dir = path.dirname(file), up = path.dirname(dir); dir !== up; dir = up, up = path.dirname(dir)) from.push(...(folderUsers.get(dir) ?? []));
        for (const f of from) {
          if (out.has(f)) continue;
          out.add(f);
          queue.push(f);
        }
      }
      this.reachers.set(target, (known = out));
    }
    return known;
  }

  /** Whether code in `from` can reach a definition of `target` (the same file, or a module its imports lead to). */
  reaches(from: string, target: string): boolean {
    const a = path.normalize(from);
    const b = path.normalize(target);
    return a === b || this.reaching(b).has(a);
  }
}
