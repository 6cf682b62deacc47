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
export const ROOT_MARKERS = ["pyproject.toml", "setup.py", "setup.cfg", path.join(".git", "HEAD"), ".git"];

/** How many folders up a project root is looked for. */
const MAX_ROOT_DEPTH = 16;

/**
 * Lookups made in or below one folder, kept so that no path is built or hashed twice. Each map is made on first use:
 * lookup makes a memo for every module path it tries in every folder it searches, most of which do not exist.
 */
interface FolderMemo {
  /** The folder, normalized. */
  dir: string;
  /** What an import path names from a file in this folder. */
  found?: Map<string, ModuleTarget | undefined>;
  /** The module an absolute (`abs`) or relative (`rel`) import's segments name below this folder, by the segments' text. */
  abs?: Map<string, ModuleTarget | undefined>;
  rel?: Map<string, ModuleTarget | undefined>;
  /** The folders below it by name, as far as lookup went. */
  sub?: Map<string, FolderMemo>;
  /** Whether a file of this name (or relative path, `pkg/__init__.py`) is in it, as the project answered. */
  files?: Map<string, boolean>;
  /** Whether an entry of this name is a folder, as the project answered (undefined: cannot tell). */
  folders?: Map<string, boolean | undefined>;
  /** The folder above, once asked. */
  up?: FolderMemo;
}

/** `name` in folder `dir` (normalized, `name` a plain file or folder name): what `path.join` gives, without normalizing again. */
function under(dir: string, name: string): string {
  if (dir === ".") return name;
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

export class ModuleFinder {
  private readonly roots = new Map<string, string | undefined>();
  private readonly existing = new Map<string, boolean>();
  /** Per importing file (as callers spell it), the memo of its folder. */
  private readonly byFile = new Map<string, FolderMemo>();
  /** Per normalized folder, its memo. */
  private readonly memos = new Map<string, FolderMemo>();
  /** Per folder, the folders an absolute import is searched in. */
  private readonly searched = new Map<FolderMemo, FolderMemo[]>();

  constructor(private readonly files: FileExistence) {}

  /** Whether a file exists, asked of the project once per path. */
  private exists(filePath: string): boolean {
    let known = this.existing.get(filePath);
    if (known === undefined) this.existing.set(filePath, (known = this.files.exists(filePath)));
    return known;
  }

  private folder(dir: string): FolderMemo {
    let memo = this.memos.get(dir);
    if (!memo) this.memos.set(dir, (memo = { dir }));
    return memo;
  }

  /** The memo of a folder below another. */
  private child(parent: FolderMemo, name: string): FolderMemo {
    const sub = (parent.sub ??= new Map());
    let memo = sub.get(name);
    if (!memo) sub.set(name, (memo = this.folder(under(parent.dir, name))));
    return memo;
  }

  /** The memo of the folder above (the folder itself at the top). */
  private parent(folder: FolderMemo): FolderMemo {
    return (folder.up ??= this.folder(path.dirname(folder.dir)));
  }

  /** Whether a folder holds a file of this name, asked of the project once. */
  private hasFile(folder: FolderMemo, name: string): boolean {
    const files = (folder.files ??= new Map());
    let known = files.get(name);
    // Each folder has one memo, so each path is asked once.
    if (known === undefined) files.set(name, (known = this.files.exists(under(folder.dir, name))));
    return known;
  }

  /** The project module an import path names from a file (`model.GPT`, `trainer.optim`, `.optim.build`), if the project has it. */
  find(fromFile: string, importPath: string): ModuleTarget | undefined {
    let memo = this.byFile.get(fromFile);
    if (!memo) this.byFile.set(fromFile, (memo = this.folder(path.normalize(path.dirname(fromFile)))));
    const found = (memo.found ??= new Map());
    let result = found.get(importPath);
    if (result === undefined && !found.has(importPath)) found.set(importPath, (result = this.lookup(memo, importPath)));
    return result;
  }

  private lookup(from: FolderMemo, importPath: string): ModuleTarget | undefined {
    let dots = 0;
    while (importPath.charCodeAt(dots) === 46) dots++;
    const rest = dots === 0 ? importPath : importPath.slice(dots);
    if (dots > 0) {
      let base = from;
      for (let i = 1; i < dots; i++) base = this.parent(base);
      return this.inFolder(base, rest, true);
    }
    if (rest.length === 0) return undefined;
    for (const root of this.searchFolders(from)) {
      const target = this.inFolder(root, rest, false);
      if (target) return target;
    }
    return undefined;
  }

  /** The folders an absolute import is searched in, first match wins. */
  private searchFolders(from: FolderMemo): FolderMemo[] {
    let known = this.searched.get(from);
    if (!known) {
      const root = this.projectRoot(from.dir);
      const folders = [from.dir];
      if (root !== undefined) folders.push(root, under(root, "src"));
      this.searched.set(from, (known = [...new Set(folders)].map((f) => this.folder(f))));
    }
    return known;
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
   * The module the segments of `rest` (`a.b.c`) name under a folder (`a/b.py` or `a/b/__init__.py`), or the module
   * one segment shorter and the name read from it. A relative import may name the package itself (`from . import x`
   * reads `x` of `__init__.py`). Files of one project search its root for the same paths: each answer is kept per folder.
   */
  private inFolder(base: FolderMemo, rest: string, relative: boolean): ModuleTarget | undefined {
    const memo = relative ? (base.rel ??= new Map()) : (base.abs ??= new Map());
    let found = memo.get(rest);
    if (found === undefined && !memo.has(rest)) memo.set(rest, (found = this.searchFolder(base, rest.split(".").filter((s) => s.length > 0), relative)));
    return found;
  }

  private searchFolder(base: FolderMemo, segments: readonly string[], relative: boolean): ModuleTarget | undefined {
    const n = segments.length;
    // No folder named by the first segment: no module two or more segments deep below it.
    const deep = n < 2 || this.isFolder(base, segments[0]) !== false;
    for (let k = n; k >= Math.max(relative ? 0 : 1, n - 1); k--) {
      if (k >= 2 && !deep) continue;
      // The module `a/b/c` as the file `a/b/c.py` or the package `a/b/c/__init__.py` (`k` = 0: the package `base`).
      let parent = base;
      for (let i = 0; i < k - 1; i++) parent = this.child(parent, segments[i]);
      if (k > 0 && this.hasFile(parent, `${segments[k - 1]}.py`)) {
        const file = under(parent.dir, `${segments[k - 1]}.py`);
        return k === n ? { file } : { file, name: segments[n - 1] };
      }
      // The package's `__init__.py` is asked of the folder above it: no memo for a package that is not there.
      const init = k > 0 ? `${segments[k - 1]}${path.sep}__init__.py` : "__init__.py";
      if (this.hasFile(parent, init)) {
        const file = under(parent.dir, init);
        return k === n ? { file } : { file, name: segments[n - 1] };
      }
    }
    return undefined;
  }

  /** Whether an entry of a folder is a folder, asked of the project once (undefined: it cannot tell). */
  private isFolder(folder: FolderMemo, name: string): boolean | undefined {
    if (!this.files.isFolder) return undefined;
    const folders = (folder.folders ??= new Map());
    if (folders.has(name)) return folders.get(name);
    const known = this.files.isFolder(under(folder.dir, name));
    folders.set(name, known);
    return known;
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
    if (isWordCode(text.charCodeAt(at - 1)) || isWordCode(text.charCodeAt(at + 6))) continue;
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

/** Whether a UTF-16 unit is one of `\w` (false for NaN, past either end of a text). */
function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** The module of `from <module> import` when the `import` at `at` ends one, read backwards. */
function fromModule(text: string, at: number): string | undefined {
  let i = at - 1;
  const blank = (c: string | undefined) => c === " " || c === "\t" || (c === "\n" && text[i - 1] === "\\");
  const skip = () => {
    while (i >= 0 && blank(text[i])) i -= text[i] === "\n" ? 2 : 1;
  };
  skip();
  const end = i + 1;
  while (i >= 0 && (isWordCode(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i--;
  const module = text.slice(i + 1, end);
  if (module.length === 0) return undefined;
  // `from.pkg import x` has no blank after `from`.
  if (module.startsWith("from.") && !isWordCode(text.charCodeAt(i))) return module.slice(4);
  skip();
  return i >= 3 && text.startsWith("from", i - 3) && !isWordCode(text.charCodeAt(i - 4)) ? module : undefined;
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
  private readonly reached = new Map<string, ReadonlySet<string>>();
  private readonly users = new Map<string, readonly string[]>();

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
        // The finder's files are normalized already (built from the normalized folder of `key`).
        const file = target.file;
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
    let known = this.reached.get(target);
    if (!known) {
      const { importers, folderUsers } = this.backwards();
      const out = new Set<string>([target]);
      const queue = [target];
      while (queue.length > 0) {
        const file = queue.pop()!;
        for (const from of [importers.get(file), this.packageUsers(file, folderUsers)]) {
          for (const f of from ?? []) {
            if (out.has(f)) continue;
            out.add(f);
            queue.push(f);
          }
        }
      }
      this.reached.set(target, (known = out));
    }
    return known;
  }

  /** Files that bind a package above a module as a module, and so reach it through attributes (asked once per module). */
  private packageUsers(file: string, folderUsers: ReadonlyMap<string, string[]>): readonly string[] {
    let known = this.users.get(file);
    if (!known) {
      const users: string[] = [];
      for (let dir = path.dirname(file), up = path.dirname(dir); dir !== up; dir = up, up = path.dirname(dir)) users.push(...(folderUsers.get(dir) ?? []));
      this.users.set(file, (known = users));
    }
    return known;
  }

  /** The files whose code can reach a module's definitions (the same file, or a module their imports lead to), the module included (normalized paths). */
  reachers(target: string): ReadonlySet<string> {
    return this.reaching(path.normalize(target));
  }
}
