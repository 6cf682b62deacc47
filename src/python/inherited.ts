/**
 * Checkpoint loads and saves a class inherits from a project base class defined in another module. Training code
 * often keeps them in a base model class (`BaseModel.setup`, `load_networks`, `save_networks` in the pix2pix family)
 * while each subclass builds and steps its own optimizers; the file of the subclass then shows no resume at all. This
 * joiner finds, for each class of a given file that builds an optimizer the file steps, the methods it inherits from
 * other files in method resolution order (first definition wins), and adds what those methods load and save, and the
 * signs of resuming in them, to the file's facts with spans naming the base's file. A base it cannot resolve (a
 * library class other than torch's, a module the project does not hold) hides every method after it in that order.
 */
import type { CheckpointFact, ResumeFacts, Span, TrainingFacts } from "../core/facts.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { indexPython, keptIndex, type PythonIndex } from "./analyze.js";
import { methodsOf } from "./calls.js";
import { checkpointFacts } from "./checkpoints.js";
import { enclosingClass } from "./models.js";
import { ModuleFinder } from "./modules.js";
import { contains, fieldChild, namedChildren, type PyNode } from "./parser.js";
import { bindingForUse, callWithSpan, type Binding } from "./scope.js";
import { resumeBranch, resumeFacts, resumingCall } from "./training.js";
import { Resolver } from "./values.js";

/** A class definition with the resolver of its file. */
export interface ClassIn {
  resolver: Resolver;
  node: PyNode;
}

/** A base that hides what follows it in method resolution order: its methods cannot be seen. */
export const OPAQUE = "opaque";
type Linear = (ClassIn | typeof OPAQUE)[];

/** Library bases known to define no checkpoint or resume method a subclass could inherit. */
const EMPTY_BASE = /^(?:object|torch\.nn\.(?:modules\.module\.)?Module|abc\.ABC|typing\.Generic)$/;

/** How deep base classes and re-exports are followed. */
const MAX_DEPTH = 8;

export const pythonInheritedJoiner: ProjectJoiner = {
  name: "python-inherited",
  join(project) {
    if (!project.readsFiles) return;
    new InheritedJoin(project).run();
  },
};

class InheritedJoin {
  private readonly classes: ProjectClasses;
  /** Per base file: its loads and saves and its signs of resuming, read as if it were alone. */
  private readonly own = new Map<Resolver, CheckpointFact[]>();

  constructor(private readonly project: ProjectContext) {
    this.classes = new ProjectClasses(project);
  }

  run(): void {
    for (const file of this.project.files) {
      if (file.adapter.name !== "python") continue;
      const facts = file.analyzed.facts;
      // Read before the loops: the other facts of a file without constructions are made only when read.
      if (facts.optimizers.length === 0) continue;
      const stepped = new Set((facts.loops ?? []).filter((l) => l.steppedAt.length > 0 && l.optimizerSite).map((l) => l.optimizerSite!));
      const sites = facts.optimizers.filter((s) => stepped.has(s.id) && s.dialect === undefined && s.span.file === undefined);
      if (sites.length === 0 || !/\bclass\b/.test(file.text)) continue;
      const index = keptIndex(file.analyzed);
      const resolver = index && this.classes.resolver(file.path, index);
      if (!resolver) continue;
      const classes = new Set<PyNode>();
      for (const site of sites) {
        const call = callWithSpan(resolver.index, site.span.start, site.span.end);
        const cls = call && enclosingClass(call);
        if (cls && fieldChild(cls, "superclasses")) classes.add(cls);
      }
      for (const cls of classes) this.inherit(file, facts, { resolver, node: cls });
    }
  }

  /** Adds to a file's facts what the methods a class inherits from other files load, save and resume. */
  private inherit(file: ProjectFile, facts: TrainingFacts, cls: ClassIn): void {
    const linear = this.classes.linearize(cls, 0);
    const seen = new Set(methodMap(cls).keys());
    const inherited: { base: ClassIn; fn: PyNode }[] = [];
    for (const entry of linear.slice(1)) {
      if (entry === OPAQUE) break;
      for (const [name, fn] of methodMap(entry)) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (entry.resolver !== cls.resolver) inherited.push({ base: entry, fn });
      }
    }
    if (inherited.length === 0) return;
    const resume = (facts.resume ??= { evidence: [], fineTuning: [] });
    const checkpoints = (facts.checkpoints ??= []);
    // A load that runs under a resume condition through a helper counts only when the caller is inherited too (a
    // caller the subclass overrides never runs): what a base file shows depends on the base alone, read once per base.
    const ownByBase = new Map<Resolver, { checkpoints: CheckpointFact[]; resume: ResumeFacts }>();
    for (const { base, fn } of inherited) {
      let added = false;
      let own = ownByBase.get(base.resolver);
      if (!own) {
        const runs = (call: PyNode): boolean => inherited.some((m) => m.base.resolver === base.resolver && contains(m.fn, call));
        ownByBase.set(base.resolver, (own = this.ownFacts(base.resolver, runs)));
      }
      const inside = (span: Span): boolean => contains(fn, span);
      const home = (span: Span): Span => ({ start: span.start, end: span.end, file: base.resolver.filePath });
      for (const fact of own.checkpoints) {
        if (!inside(fact.span) || fact.optimizerSites.length > 0) continue;
        checkpoints.push({ ...fact, span: home(fact.span), optimizerSites: [] });
        added = true;
      }
      for (const e of own.resume.evidence) {
        if (!inside(e.span)) continue;
        resume.evidence.push({ ...e, span: home(e.span) });
        added = true;
      }
      for (const f of own.resume.fineTuning) if (inside(f.span)) resume.fineTuning.push({ ...f, span: home(f.span) });
      // The subclass calls the inherited helper under a resume condition (`if opt.continue_train: self.load_network(...)`).
      // A load in a branch that runs only when the run does not resume (`if not opt.resume:`) never resumes.
      const name = base.resolver.textOf(fieldChild(fn, "name")!);
      const condition = resumingCall(cls.resolver, name, cls.node, () => false)?.condition;
      for (const fact of own.checkpoints) {
        if (!condition || !inside(fact.span) || fact.kind !== "load" || (fact.state !== "model" && fact.state !== "file")) continue;
        const load = callWithSpan(base.resolver.index, fact.span.start, fact.span.end);
        if (!load || resumeBranch(base.resolver, load) === false) continue;
        resume.evidence.push({ kind: "flag", span: home(fact.span), description: `the load runs in \`self.${name}()\`, called when \`${condition}\`` });
        added = true;
      }
      if (added) {
        const links = (file.analyzed.links ??= new Map());
        const superclasses = fieldChild(cls.node, "superclasses")!;
        if (!links.has(base.resolver.filePath)) links.set(base.resolver.filePath, { start: superclasses.start, end: superclasses.end });
      }
    }
  }

  /** A base file's loads and saves, and its signs of resuming through the calls that run (as its text shows them alone). */
  private ownFacts(resolver: Resolver, runs: (call: PyNode) => boolean): { checkpoints: CheckpointFact[]; resume: ResumeFacts } {
    let checkpoints = this.own.get(resolver);
    if (!checkpoints) this.own.set(resolver, (checkpoints = checkpointFacts(resolver, [])));
    return { checkpoints, resume: resumeFacts(resolver, checkpoints.map((c) => ({ ...c })), runs) };
  }
}

/**
 * Classes of the project as their files define and import them, one resolver per file: base chains are followed
 * through project modules (and the package `__init__` files that import a class again), never into a library.
 */
export class ProjectClasses {
  private readonly finder: ModuleFinder;
  private readonly resolvers = new Map<string, Resolver | null>();
  private readonly linears = new Map<PyNode, Linear>();

  constructor(private readonly project: ProjectContext) {
    this.finder = new ModuleFinder(project);
  }

  /** C3 method resolution order of a class, with an opaque entry for a base that cannot be read. */
  linearize(cls: ClassIn, depth: number): Linear {
    const known = this.linears.get(cls.node);
    if (known) return known;
    this.linears.set(cls.node, [cls, OPAQUE]);
    const bases = namedChildren(fieldChild(cls.node, "superclasses") ?? cls.node).filter((b) => b.type !== "keyword_argument");
    const resolved = bases.map((b) => this.baseClass(cls.resolver, b, depth));
    const lists: Linear[] = resolved.filter((b) => b !== undefined).map((b) => (b === OPAQUE ? [OPAQUE] : this.linearize(b, depth + 1)));
    lists.push(resolved.filter((b) => b !== undefined));
    const out: Linear = [cls];
    const same = (a: ClassIn | typeof OPAQUE, b: ClassIn | typeof OPAQUE): boolean => (a === OPAQUE || b === OPAQUE ? a === b : a.node === b.node);
    for (;;) {
      const rest = lists.filter((l) => l.length > 0);
      if (rest.length === 0) break;
      const head = rest.map((l) => l[0]).find((h) => !rest.some((l) => l.slice(1).some((x) => same(x, h))));
      // An inconsistent order is a TypeError in Python: nothing after this point is trusted.
      if (!head) {
        out.push(OPAQUE);
        break;
      }
      out.push(head);
      if (head === OPAQUE) break;
      for (const l of rest) if (same(l[0], head)) l.shift();
    }
    this.linears.set(cls.node, out);
    return out;
  }

  /** The class a base expression names: undefined for one known to add no method, opaque when it cannot be read. */
  baseClass(resolver: Resolver, base: PyNode, depth: number): ClassIn | typeof OPAQUE | undefined {
    if (depth >= MAX_DEPTH) return OPAQUE;
    const path = resolver.pathOf(base);
    if (path && EMPTY_BASE.test(path)) return undefined;
    if (base.type === "identifier") {
      const name = resolver.textOf(base);
      if (name === "object") return undefined;
      return this.named(resolver, name, base, depth) ?? OPAQUE;
    }
    if (base.type === "attribute" && path) return this.imported(resolver.filePath, path, depth) ?? OPAQUE;
    return OPAQUE;
  }

  /** A name as a file binds it where it is used: a class defined there, or one imported from a project module. */
  private named(resolver: Resolver, name: string, use: PyNode, depth: number): ClassIn | undefined {
    const binding = bindingForUse(name, use, resolver.index);
    if (binding?.kind === "class") {
      const node = classNode(binding);
      return node ? { resolver, node } : undefined;
    }
    if (binding?.kind !== "import") return undefined;
    const target = binding.relativePath ?? binding.importPath;
    return target ? this.imported(resolver.filePath, target, depth) : undefined;
  }

  /** The class an import path names from a file, through modules that import it again (a package's `__init__`). */
  imported(fromFile: string, importPath: string, depth: number): ClassIn | undefined {
    const target = this.finder.find(fromFile, importPath);
    const resolver = target?.name ? this.resolver(target.file) : undefined;
    if (!resolver || !target?.name || depth >= MAX_DEPTH) return undefined;
    const bindings = resolver.index.module.bindings.get(target.name) ?? [];
    if (bindings.length !== 1) return undefined;
    const [binding] = bindings;
    if (binding.kind === "class") {
      const node = classNode(binding);
      return node ? { resolver, node } : undefined;
    }
    const again = binding.kind === "import" ? (binding.relativePath ?? binding.importPath) : undefined;
    return again ? this.imported(resolver.filePath, again, depth + 1) : undefined;
  }

  /**
   * A module's resolver, one per file: from the index its analysis kept (`kept`, for a file of the run), else from its
   * code as the project reads it (not analyzed for it).
   */
  resolver(filePath: string, kept?: PythonIndex): Resolver | undefined {
    const known = this.resolvers.get(filePath);
    if (known !== undefined) return known ?? undefined;
    let resolver: Resolver | null = null;
    if (kept) resolver = new Resolver(kept.index, kept.text, filePath);
    else {
      const code = this.project.code(filePath);
      if (code?.adapter.name === "python") {
        const { index, text } = (code.analyzed && keptIndex(code.analyzed)) ?? indexPython(code.text);
        resolver = new Resolver(index, text, code.path);
      }
    }
    this.resolvers.set(filePath, resolver);
    return resolver ?? undefined;
  }
}

/** The class statement a class binding names (a decorated one's definition). */
function classNode(binding: Binding): PyNode | undefined {
  return binding.stmt.type === "class_definition" ? binding.stmt : namedChildren(binding.stmt).find((n) => n.type === "class_definition");
}

/** The methods a class body defines, by name (decorated ones included; a later definition replaces an earlier one). */
function methodMap(cls: ClassIn): Map<string, PyNode> {
  return new Map(methodsOf(cls.resolver, cls.node));
}
