/**
 * Hydra's `instantiate` joins a Python call to the YAML config it builds from: `hydra.utils.instantiate(cfg.optimizer,
 * params=model.parameters(), lr=args.lr)` in a function decorated with `@hydra.main(config_path=..., config_name=...)`
 * constructs the optimizer that the composed config holds at `optimizer`, with the call's keyword arguments over the
 * config's values (Hydra merges them in). The joined construction is judged once, in the Python file: its values keep
 * the YAML line that set them (or the Python keyword that overrode them), and the parameters and model evidence come
 * from the call. The same optimizer judged from its YAML alone is then left out, so one value gives one finding.
 *
 * Conservative by construction: a config path, a config folder or a composition that cannot be read, a config the
 * function changes before the call, a spread at the call, `_partial_`, or a `_target_` the call replaces: no join.
 */
import path from "node:path";
import { emptyFacts, type ArgumentFact, type OptimizerSite, type ParamsFact, type ResolvedValue, type SchedulerFact, type Span, type TrainingFacts } from "../core/facts.js";
import { mapEverySiteSpan, sameSpan } from "../core/spans.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { composedConfig } from "../configs/hydra.js";
import { entryOf, isMapping, recognizeConfig, type MappingValue } from "../configs/recognize.js";
import { fromFile } from "../configs/bases.js";
import { optimizerByName } from "../knowledge/optimizers.js";
import { indexPython, keptIndex, mentionsInstantiate } from "./analyze.js";
import { paramsFact } from "./facts.js";
import { withModelFacts } from "./models.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { bindingForUse, isPlainFunction, isPlainString, stringBody, type Binding } from "./scope.js";
import { ModuleFinder } from "./modules.js";
import { Resolver, type ClassModel } from "./values.js";
import { loadedConfig, mayLoadConfig, type LoadedConfig } from "./config-loads.js";

/** The functions of Hydra that build an object from a config node. */
const INSTANTIATE_PATHS = new Set(["hydra.utils.instantiate", "hydra.utils.call"]);

/** Keys of Hydra's own that a call may pass; those that change what is built stop the join. */
const HYDRA_KEYS_KEPT = new Set(["_convert_", "_recursive_"]);

/**
 * Whether each file of a run may call Hydra's instantiate, noted by whoever reads its text first: the call-site joiner
 * reads every Python file's text before this joiner runs, and the text of a file the prefilter dropped is read from
 * disk each time it is asked for.
 */
const MENTIONS = new WeakMap<ProjectFile, boolean>();

/** Notes whether a file's text may call Hydra's instantiate (`mentionsInstantiate` of its text, as read now). */
export function noteInstantiateMentions(file: ProjectFile, mentions: boolean): void {
  MENTIONS.set(file, mentions);
}

function mayInstantiate(file: ProjectFile): boolean {
  let mentions = MENTIONS.get(file);
  if (mentions === undefined) MENTIONS.set(file, (mentions = mentionsInstantiate(file.text)));
  return mentions;
}

/** Joins `hydra.utils.instantiate(cfg.<path>, ...)` calls with the optimizer their app's composed config holds there. */
export const hydraInstantiateJoiner: ProjectJoiner = {
  name: "hydra-instantiate",
  join(project) {
    const trees = new PassTrees();
    for (const given of project.files) {
      if (given.adapter.name !== "python" || !mayInstantiate(given)) continue;
      // A file the prefilter left unanalyzed is analyzed now: its model and precision evidence count for the join.
      const file = project.file(given.path) ?? given;
      joinFile(project, file, trees.of(file));
    }
    joinPartials(project);
    joinConfigReads(project, trees);
  },
};

/**
 * The config trees of a pass, per Python file (`readTree` words a value's origin from the reading file's folder): an
 * `instantiate` call and a plain construction of one file that read the same config compose it once.
 */
class PassTrees {
  private readonly byFile = new Map<string, Trees>();

  of(file: ProjectFile): Trees {
    let trees = this.byFile.get(file.path);
    if (!trees) this.byFile.set(file.path, (trees = new Map()));
    return trees;
  }
}

/**
 * Plain constructions that read a config themselves (`torch.optim.AdamW(params, lr=cfg.optim.lr)` in a Hydra app,
 * `lr=config["init_lr"]` after `config = yaml.safe_load(open(path))`): an argument unknown in its file whose expression
 * is a chain of keys rooted at a config of known source (`configRead`) takes the value the config holds there, read
 * at the argument, its origin where the config sets it. A config reached through a function's parameter counts only
 * when the construction is judged once in its file (one call, or none, of its function) and no other file imports it.
 */
function joinConfigReads(project: ProjectContext, passTrees: PassTrees): void {
  for (const given of project.files) {
    if (given.adapter.name !== "python") continue;
    const facts = given.analyzed.facts;
    const open = facts.optimizers.filter((s) => !s.dialect && !s.builtFrom && [...s.args.values()].some(unknownHere));
    if (open.length === 0 || !(mayLoadConfig(given.text) || /\bhydra\b/.test(given.text))) continue;
    const { index, text } = keptIndex(given.analyzed) ?? indexPython(given.text);
    const resolver = new Resolver(index, text, given.path);
    const trees = passTrees.of(given);
    const copies = new Map<string, number>();
    for (const site of facts.optimizers) copies.set(baseId(site.id), (copies.get(baseId(site.id)) ?? 0) + 1);
    const changed = new Map<OptimizerSite, OptimizerSite>();
    let imported: boolean | undefined;
    for (const site of open) {
      const args = new Map(site.args);
      for (const [name, arg] of site.args) {
        const node = unknownHere(arg) ? nodeWithSpan(index.module.node, arg.value.span) : undefined;
        const read = node && configRead(project, resolver, given, node);
        if (!node || !read) continue;
        if (read.param.parent?.type === "parameters") {
          // Through a parameter: another call of the function, here or in a file that imports this one, may pass another config.
          if ((copies.get(baseId(site.id)) ?? 0) > 1 || (imported ??= importedElsewhere(project, given.path))) continue;
        }
        const { composed, fileLinks } = readTree(project, given, read, trees);
        const value = composed && configValue(resolver, read, composed, node);
        if (!value) continue;
        args.set(name, { ...arg, value: { ...value, dependsOn: arg.value.dependsOn } });
        const links = (given.analyzed.links ??= new Map());
        for (const other of [read.primary.path, ...fileLinks.keys()]) if (!links.has(other)) links.set(other, spanOf(node));
      }
      if ([...args].some(([name, arg]) => site.args.get(name) !== arg)) changed.set(site, { ...site, args });
    }
    if (changed.size > 0) facts.optimizers = facts.optimizers.map((s) => changed.get(s) ?? s);
  }
}

/** An argument whose value its file alone does not know, read where the construction is written. */
function unknownHere(arg: ArgumentFact): boolean {
  return arg.value.value.kind === "unknown" && !arg.value.value.reference && arg.value.span.file === undefined;
}

/** A construction's id without the call it is judged for (`train.py#0@1` → `train.py#0`). */
function baseId(id: string): string {
  const at = id.lastIndexOf("@");
  return at > id.lastIndexOf("#") ? id.slice(0, at) : id;
}

/** The expression written exactly at a span: the innermost node that covers it whole. */
function nodeWithSpan(root: PyNode, span: Span): PyNode | undefined {
  let found: PyNode | undefined;
  for (let at: PyNode | undefined = root; at; ) {
    if (at.start === span.start && at.end === span.end) found = at;
    at = at.children.find((c) => c.start <= span.start && span.end <= c.end);
  }
  return found;
}

/** Whether another Python file of the run imports this one by its module name (its functions may be called there). */
function importedElsewhere(project: ProjectContext, filePath: string): boolean {
  const stem = path.basename(filePath, ".py");
  const name = stem === "__init__" ? path.basename(path.dirname(filePath)) : stem;
  const escaped = name.replace(/[$.]/g, "\\$&");
  const pattern = new RegExp(`^[ \\t]*(?:from[ \\t]+[\\w.]*\\b${escaped}\\b|import[ \\t]+[\\w., \\t]*\\b${escaped}\\b)`, "m");
  const others = new Set([...project.files.map((f) => f.path), ...project.runFiles]);
  for (const other of others) {
    if (other === filePath || !other.endsWith(".py")) continue;
    const text = project.peek(other);
    if (text === undefined || pattern.test(text)) return true;
  }
  return false;
}

/** One config a call reads: the primary file, the path of keys in it, and the function that receives it. */
interface ConfigRead {
  primary: ProjectFile;
  /** The keys of the composed config the call reads. */
  keys: string[];
  /** The keys of the composed config the name at the call holds (empty: the whole config). */
  prefix: string[];
  /** The binding of the name that holds the config at the call. */
  param: PyNode;
  /** For a config held by the instance (`self.cfg.optimizer`): the attribute that holds it, read off chains rooted at `param`. */
  through?: string;
  /** The script loads the file itself (`yaml.safe_load(open(path))`): its tree as written, not a Hydra composition. */
  loaded?: LoadedConfig;
}

function joinFile(project: ProjectContext, file: ProjectFile, compositions: Trees): void {
  const { index, text } = keptIndex(file.analyzed) ?? indexPython(file.text);
  const resolver = new Resolver(index, text, file.path);
  const facts = file.analyzed.facts;
  const joined: OptimizerSite[] = [];
  const schedulers: SchedulerFact[] = [];
  const links = (file.analyzed.links ??= new Map());
  for (const call of index.calls) {
    const callee = fieldChild(call, "function");
    const calleePath = callee ? resolver.pathOf(callee) : undefined;
    if (!calleePath || !INSTANTIATE_PATHS.has(calleePath)) continue;
    const args = namedChildren(fieldChild(call, "arguments")!);
    const first = args[0];
    if (!first || first.type === "keyword_argument") continue;
    const read = configRead(project, resolver, file, first);
    if (!read) continue;
    const { composed, fileLinks } = readTree(project, file, read, compositions);
    const node = composed && nodeAt(composed, read.keys);
    if (!node || isPartial(node)) continue;
    const found = recognizeConfig(node, { filePath: read.primary.path, firstId: 0 }).optimizers.find((s) => s.dialect === "hydra" && sameSpan(s.span, node.span));
    if (!found) continue;
    const valueOf = (value: PyNode) => configValue(resolver, read, composed, value) ?? resolver.value(value);
    const site = joinedSite(project, resolver, valueOf, call, args.slice(1), found, `${file.path}#instantiate${joined.length}`);
    if (!site) continue;
    joined.push(site);
    schedulers.push(...configSchedulers(composed, read.primary.path, site.id));
    const at = spanOf(call);
    for (const other of [read.primary.path, ...fileLinks.keys()]) if (!links.has(other)) links.set(other, at);
  }
  if (joined.length === 0) return;
  facts.optimizers = [...facts.optimizers, ...joined];
  facts.schedulers = [...facts.schedulers, ...schedulers];
  addModelFacts(resolver, facts, joined);
  supersede(project, joined);
}

/** Each primary's tree as a read sees it (composed by Hydra, or as a loader returns it), read once per file, pass and kind of read. */
type Trees = Map<string, { composed: MappingValue | undefined; fileLinks: Map<string, Span> }>;

/**
 * The primary's tree as a read sees it. What the tree holds depends on the read besides the file: a loaded file's
 * origins name its loader and are overridable when its path is (`loaded`), so the cache key holds both.
 */
function readTree(project: ProjectContext, file: ProjectFile, read: ConfigRead, trees: Trees): { composed: MappingValue | undefined; fileLinks: Map<string, Span> } {
  const how = read.loaded ? `loaded by ${read.loaded.loader}${read.loaded.overridable ? ", overridable" : ""}` : "composed";
  const key = `${how}:${read.primary.path}`;
  let tree = trees.get(key);
  if (!tree) {
    const fileLinks = new Map<string, Span>();
    const where = relative(file.path, read.primary.path);
    const root = read.primary.analyzed.configRoots?.[0];
    const raw = read.loaded ? (isMapping(root) ? root : undefined) : composedConfig(project, read.primary, fileLinks);
    const description = read.loaded ? `set in ${where}, loaded by ${read.loaded.loader}()` : `set in ${where}`;
    const composed = raw && fromFile(raw, read.primary.path, description, read.loaded ? read.loaded.overridable : true);
    trees.set(key, (tree = { composed, fileLinks }));
  }
  return tree;
}

/**
 * Lightning modules built by Hydra: a config mapping whose `_target_` is a class of a given Python file, with an
 * optimizer factory as one of its arguments (`optimizer: {_target_: torch.optim.Adam, _partial_: true, lr: ...}`),
 * and the class calling that factory (`self.hparams.optimizer(params=self.parameters())`, after
 * `self.save_hyperparameters(...)`). Each call is joined with each config that builds the class, in the Python file.
 */
function joinPartials(project: ProjectContext): void {
  const finder = new ModuleFinder(project);
  const byFile = new Map<ProjectFile, { resolver: Resolver; sites: OptimizerSite[]; schedulers: SchedulerFact[]; seen: Set<string> }>();
  for (const given of project.files) {
    if (!/\.ya?ml$/i.test(given.path) || !/_partial_/.test(given.text)) continue;
    const config = project.file(given.path) ?? given;
    const root = config.analyzed.configRoots?.[0];
    if (!isMapping(root)) continue;
    const trees: MappingValue[] = [root];
    const links = new Map<string, Span>();
    const composed = entryOf(root, "defaults") ? composedConfig(project, config, links) : undefined;
    if (composed) trees.push(composed);
    for (const tree of trees) {
      const stamped = fromFile(tree, config.path, `set in ${path.basename(config.path)}`, true);
      for (const { owner, key, site } of partialSites(stamped, config.path)) {
        const target = finder.find(config.path, owner);
        const module = target?.name ? project.file(target.file) : undefined;
        if (!module?.given || module.adapter.name !== "python" || !target?.name) continue;
        let entry = byFile.get(module);
        if (!entry) {
          const { index, text } = keptIndex(module.analyzed) ?? indexPython(module.text);
          byFile.set(module, (entry = { resolver: new Resolver(index, text, module.path), sites: [], schedulers: [], seen: new Set() }));
        }
        const ref = entry.resolver.moduleLevelRef(target.name);
        if (ref?.kind !== "class") continue;
        for (const call of factoryCalls(entry.resolver, ref.cls, key)) {
          const args = namedChildren(fieldChild(call, "arguments")!);
          const joined = joinedSite(project, entry.resolver, (n) => entry.resolver.value(n), call, args, site, `${module.path}#partial${entry.sites.length}`, true);
          if (!joined) continue;
          // The same values reached through two configs (an option alone and in a composition) are one construction.
          const signature = siteSignature(joined);
          if (entry.seen.has(signature)) continue;
          entry.seen.add(signature);
          entry.sites.push(joined);
          entry.schedulers.push(...configSchedulers(stamped, config.path, joined.id));
          const fileLinks = (module.analyzed.links ??= new Map());
          const at = spanOf(call);
          for (const other of [config.path, ...links.keys()]) if (!fileLinks.has(other)) fileLinks.set(other, at);
        }
      }
    }
  }
  for (const [module, { resolver, sites, schedulers }] of byFile) {
    if (sites.length === 0) continue;
    module.analyzed.facts.optimizers = [...module.analyzed.facts.optimizers, ...sites];
    module.analyzed.facts.schedulers = [...module.analyzed.facts.schedulers, ...schedulers];
    addModelFacts(resolver, module.analyzed.facts, sites);
    supersede(project, sites);
  }
}

/** Optimizer factories in a config tree: a `_partial_: true` optimizer under `key` of a mapping whose `_target_` names a class. */
function partialSites(tree: MappingValue, filePath: string): { owner: string; key: string; site: OptimizerSite }[] {
  const out: { owner: string; key: string; site: OptimizerSite }[] = [];
  const visit = (mapping: MappingValue): void => {
    const target = entryOf(mapping, "_target_")?.value.value;
    for (const entry of mapping.value.kind === "mapping" ? mapping.value.entries : []) {
      if (!isMapping(entry.value)) continue;
      if (target?.kind === "string" && /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+$/.test(target.value) && isPartial(entry.value)) {
        const site = recognizeConfig(entry.value, { filePath, firstId: 0 }).optimizers.find((s) => s.dialect === "hydra" && sameSpan(s.span, entry.value.span));
        if (site) out.push({ owner: target.value, key: entry.key, site });
      }
      visit(entry.value);
    }
  };
  visit(tree);
  return out;
}

/**
 * The calls of a config argument's factory in a class's methods: `self.hparams.<key>(...)` when `__init__` saves its
 * arguments as hyperparameters, or `self.<key>(...)` when `__init__` stores the argument under its name and nothing else writes it.
 */
function factoryCalls(resolver: Resolver, cls: ClassModel, key: string): PyNode[] {
  const init = cls.init;
  const params = init ? namedChildren(fieldChild(init, "parameters")!) : [];
  const nameOf = (p: PyNode): string | undefined => {
    const id = p.type === "identifier" ? p : p.type === "typed_parameter" || p.type === "default_parameter" || p.type === "typed_default_parameter" ? p.children.find((c) => c.type === "identifier") : undefined;
    return id && resolver.textOf(id);
  };
  const takes = params.some((p) => nameOf(p) === key);
  if (!init || !takes) return [];
  const body = resolver.textOf(fieldChild(init, "body")!);
  const saved = /\.save_hyperparameters\(/.test(body) && !/\bignore\s*=/.test(body);
  const writes = cls.selfWrites.get(key);
  const stored = writes?.length === 1 && writes[0].method === init && writes[0].value?.type === "identifier" && resolver.textOf(writes[0].value) === key;
  const forms = [...(saved ? [`self.hparams.${key}`] : []), ...(stored ? [`self.${key}`] : [])];
  if (forms.length === 0) return [];
  return resolver.index.calls.filter((call) => {
    if (call.start < cls.node.start || call.end > cls.node.end) return false;
    const callee = fieldChild(call, "function");
    return !!callee && forms.includes(resolver.textOf(callee).replace(/\s+/g, ""));
  });
}

/** What makes two joined constructions the same: the class, and each argument's value and where it is written. */
function siteSignature(site: OptimizerSite): string {
  const args = [...site.args.values()].map((a) => `${a.name}=${JSON.stringify(a.value.value)}@${spanKey(a.span, "")}`).sort();
  return `${site.canonical}|${spanKey(site.span, "")}|${spanKey(site.nameSpan, "")}|${args.join(",")}`;
}

/**
 * The primary config and the keys a call's config argument names (`cfg.model.optimizer`, `cfg["optimizer"]`), when
 * its root is a config whose source is known (`configSource`).
 */
function configRead(project: ProjectContext, resolver: Resolver, file: ProjectFile, node: PyNode): ConfigRead | undefined {
  const chain = configChain(resolver, node);
  const binding = chain && bindingForUse(resolver.textOf(chain.root), chain.root, resolver.index);
  if (!chain || !binding) return undefined;
  const held = instanceConfig(project, resolver, file, binding, chain.keys[0]);
  if (held) {
    const keys = [...held.prefix, ...chain.keys.slice(1)];
    return keys.length > 0 ? { primary: held.primary, keys, prefix: held.prefix, param: binding.stmt, through: chain.keys[0], ...loadedOf(held) } : undefined;
  }
  const source = configSource(project, resolver, file, binding, MAX_HELPER_DEPTH);
  const keys = source ? [...source.prefix, ...chain.keys] : [];
  return source && keys.length > 0 ? { primary: source.primary, keys, prefix: source.prefix, param: binding.stmt, ...loadedOf(source) } : undefined;
}

/**
 * A config a method reads from its instance (`self.cfg.optimizer`), followed only when the binding is certain: `self`
 * is the first parameter of a plain method, `__init__` stores one of its own parameters there as is (`self.cfg = cfg`)
 * and nothing else in the class writes the attribute or into it, no class of the file derives from the class, and the
 * file builds the class exactly once, passing a config whose source is known (`configSource`) for that parameter.
 */
function instanceConfig(project: ProjectContext, resolver: Resolver, file: ProjectFile, self: Binding, attr: string | undefined): ConfigSource | undefined {
  const params = self.stmt.parent;
  const method = params?.parent;
  const classNode = method?.parent?.parent;
  if (!attr || self.kind !== "param" || params?.type !== "parameters" || namedChildren(params)[0] !== self.stmt || method?.type !== "function_definition") return undefined;
  // `self` itself is bound once (the method may write other attributes: `self.optimizer = instantiate(...)`).
  if (classNode?.type !== "class_definition" || resolver.index.scopes.get(method)?.bindings.get(self.name)?.length !== 1) return undefined;
  const cls = resolver.classModel(classNode);
  const init = cls?.init;
  const writes = cls?.selfWrites.get(attr);
  const stored = writes?.length === 1 && writes[0].method === init ? writes[0].value : undefined;
  if (!cls || !init || stored?.type !== "identifier") return undefined;
  const param = bindingForUse(resolver.textOf(stored), stored, resolver.index);
  if (param?.kind !== "param" || param.stmt.parent?.parent !== init || !boundOnce(resolver, init, param.name)) return undefined;
  if (rewritesConfig(resolver.textOf(classNode), `${self.name}.${attr}`)) return undefined;
  // A class of the file that derives from it may be the one built, with another `__init__`.
  const derived = [...resolver.index.scopes.keys()].some((node) => {
    const bases = node.type === "class_definition" ? fieldChild(node, "superclasses") : undefined;
    return !!bases && namedChildren(bases).some((base) => {
      const ref = base.type === "keyword_argument" ? undefined : resolver.ref(base);
      return ref?.kind === "class" && ref.cls.node === classNode;
    });
  });
  if (derived) return undefined;
  const builds = resolver.index.calls.filter((c) => {
    const callee = fieldChild(c, "function");
    const ref = callee && (callee.type === "identifier" || callee.type === "attribute") ? resolver.ref(callee) : undefined;
    return ref?.kind === "class" && ref.cls.node === classNode;
  });
  const passed = builds.length === 1 ? callArgument(resolver, init, param, builds[0], 1) : undefined;
  const chain = passed && configChain(resolver, passed);
  const outer = chain && bindingForUse(resolver.textOf(chain.root), chain.root, resolver.index);
  const source = outer && configSource(project, resolver, file, outer, MAX_HELPER_DEPTH - 1);
  return source && chain ? { ...source, prefix: [...source.prefix, ...chain.keys] } : undefined;
}

/** Where a config name gets its config: the primary file, the keys of it the name holds, and the loader when the script reads the file itself. */
interface ConfigSource {
  primary: ProjectFile;
  prefix: string[];
  loaded?: LoadedConfig;
}

function loadedOf(source: ConfigSource): { loaded?: LoadedConfig } {
  return source.loaded ? { loaded: source.loaded } : {};
}

/** Helpers a config is followed through, from the function that receives it (`train(model, cfg)`). */
const MAX_HELPER_DEPTH = 2;

/**
 * Where a name bound to a Hydra config gets it, with the keys of the composed config it holds:
 * - the first parameter of a function decorated with `@hydra.main(config_path=..., config_name=...)`;
 * - `compose(config_name=...)` inside `with initialize(config_path=...)`, without overrides;
 * - a YAML or JSON file the script loads itself from a known path (`yaml.safe_load(open(path))`, see config-loads.ts);
 * - a parameter of a plain function of the file called once, with such a config (or a part of it) for it.
 * The name must be bound once where it lives, and nothing there may write into the config.
 */
function configSource(project: ProjectContext, resolver: Resolver, file: ProjectFile, binding: Binding, depth: number): ConfigSource | undefined {
  const primaryAt = (configPath: string, configName: string): ProjectFile | undefined => {
    const base = path.join(path.resolve(path.dirname(file.path), configPath), configName.replace(/\.ya?ml$/, ""));
    const primary = project.file(`${base}.yaml`) ?? project.file(`${base}.yml`);
    return primary && /\.ya?ml$/.test(primary.path) ? primary : undefined;
  };
  if (binding.kind === "assign") {
    const scope = scopeNodeOf(binding.stmt);
    if (!binding.value || binding.unpackIndex !== undefined || !boundOnce(resolver, scope, binding.name)) return undefined;
    const found = composeCall(resolver, binding.value);
    const primary = found && primaryAt(found.configPath, found.configName);
    if (primary) return { primary, prefix: [] };
    const loaded = loadedConfig(project, resolver, file, binding.value);
    const scopeNode = scope ?? resolver.index.module.node;
    return loaded && !mutatesConfig(resolver.textOf(scopeNode), binding.name) && !writtenElsewhere(resolver, scopeNode, binding.name)
      ? { primary: loaded.primary, prefix: [], loaded }
      : undefined;
  }
  const params = binding.stmt.parent;
  const fn = params?.parent;
  if (binding.kind !== "param" || params?.type !== "parameters" || fn?.type !== "function_definition" || !boundOnce(resolver, fn, binding.name)) return undefined;
  const main = hydraMain(resolver, fn);
  if (main) {
    const primary = namedChildren(params)[0] === binding.stmt && !writtenElsewhere(resolver, fn, binding.name) ? primaryAt(main.configPath, main.configName) : undefined;
    return primary ? { primary, prefix: [] } : undefined;
  }
  if (depth === 0 || !isPlainFunction(fn)) return undefined;
  const passed = onlyCallArgument(resolver, fn, binding);
  const chain = passed && configChain(resolver, passed);
  const outer = chain && bindingForUse(resolver.textOf(chain.root), chain.root, resolver.index);
  const source = outer && configSource(project, resolver, file, outer, depth - 1);
  if (source?.loaded && (mutatesConfig(resolver.textOf(fn), binding.name) || writtenElsewhere(resolver, fn, binding.name))) return undefined;
  return source && chain ? { ...source, prefix: [...source.prefix, ...chain.keys] } : undefined;
}

/** Whether a name is bound once in a function (or the module) and nothing there writes into what it holds. */
function boundOnce(resolver: Resolver, scopeNode: PyNode | undefined, name: string): boolean {
  const scope = scopeNode ? resolver.index.scopes.get(scopeNode) : resolver.index.module;
  const text = scopeNode ? resolver.textOf(scopeNode) : resolver.text;
  return !!scope && (scope.bindings.get(name)?.length ?? 0) === 1 && !rewritesConfig(text, name);
}

/** The function a statement's names are bound in (undefined: the module). */
function scopeNodeOf(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition") return p;
  return undefined;
}

/** `compose(config_name=...)` (no overrides) inside `with initialize(config_path=...)`: the config's folder and name. */
function composeCall(resolver: Resolver, value: PyNode): { configPath: string; configName: string } | undefined {
  const callee = value.type === "call" ? fieldChild(value, "function") : undefined;
  if (!callee || resolver.pathOf(callee) !== "hydra.compose") return undefined;
  const configName = stringKeyword(resolver, value, "config_name");
  if (configName === undefined || keywordNode(resolver, value, "overrides")) return undefined;
  for (let p = value.parent; p; p = p.parent) {
    if (p.type === "function_definition") break;
    if (p.type !== "with_statement") continue;
    for (const item of p.children.flatMap((c) => (c.type === "with_clause" ? namedChildren(c) : []))) {
      const call = namedChildren(item)[0];
      const init = call?.type === "call" ? fieldChild(call, "function") : undefined;
      if (!init || resolver.pathOf(init) !== "hydra.initialize") continue;
      const configPath = stringKeyword(resolver, call, "config_path");
      return configPath === undefined ? undefined : { configPath, configName };
    }
  }
  return undefined;
}

/** What the only call of a plain function in its file passes for one of its parameters (undefined: not exactly one plain call). */
function onlyCallArgument(resolver: Resolver, fn: PyNode, binding: Binding): PyNode | undefined {
  const nameNode = fieldChild(fn, "name");
  const name = nameNode && resolver.textOf(nameNode);
  const calls = resolver.index.calls.filter((c) => {
    const callee = fieldChild(c, "function");
    if (callee?.type !== "identifier" || resolver.textOf(callee) !== name) return false;
    const ref = resolver.ref(callee);
    return ref?.kind === "function" && ref.node === fn;
  });
  return calls.length === 1 ? callArgument(resolver, fn, binding, calls[0], 0) : undefined;
}

/** What a call passes for one of a function's parameters, `skip` leading parameters not being passed (`self`); undefined when not certain. */
function callArgument(resolver: Resolver, fn: PyNode, binding: Binding, call: PyNode, skip: number): PyNode | undefined {
  const declared = namedChildren(fieldChild(fn, "parameters")!);
  const position = declared.indexOf(binding.stmt) - skip;
  if (position < 0 || declared.slice(0, position + skip + 1).some((p) => p.type !== "identifier" && p.type !== "typed_parameter")) return undefined;
  let positional = 0;
  for (const arg of namedChildren(fieldChild(call, "arguments")!)) {
    if (arg.type === "list_splat" || arg.type === "dictionary_splat") return undefined;
    if (arg.type === "keyword_argument") {
      if (resolver.textOf(fieldChild(arg, "name")!) === binding.name) return fieldChild(arg, "value");
    } else if (arg.type !== "comment" && positional++ === position) return arg;
  }
  return undefined;
}

/** A keyword argument's value node. */
function keywordNode(resolver: Resolver, call: PyNode, name: string): PyNode | undefined {
  for (const arg of namedChildren(fieldChild(call, "arguments")!)) {
    const key = arg.type === "keyword_argument" ? fieldChild(arg, "name") : undefined;
    if (key && resolver.textOf(key) === name) return fieldChild(arg, "value");
  }
  return undefined;
}

/** A keyword argument whose value is a known string. */
function stringKeyword(resolver: Resolver, call: PyNode, name: string): string | undefined {
  const node = keywordNode(resolver, call, name);
  const value = node && resolver.value(node).value;
  return value?.kind === "string" ? value.value : undefined;
}

/** `config_path` and `config_name` of the `@hydra.main(...)` decorating a function, when both are known strings. */
function hydraMain(resolver: Resolver, fn: PyNode): { configPath: string; configName: string } | undefined {
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : undefined;
  for (const decorator of decorated?.children ?? []) {
    if (decorator.type !== "decorator") continue;
    const call = namedChildren(decorator)[0];
    const callee = call?.type === "call" ? fieldChild(call, "function") : undefined;
    if (!callee || resolver.pathOf(callee) !== "hydra.main") continue;
    const configPath = stringKeyword(resolver, call!, "config_path");
    const configName = stringKeyword(resolver, call!, "config_name");
    return configPath !== undefined && configName !== undefined ? { configPath, configName } : undefined;
  }
  return undefined;
}

/** The name and keys of a config read (`cfg.model.optimizer`, `cfg["optimizer"]`). */
function configChain(resolver: Resolver, node: PyNode): { root: PyNode; keys: string[] } | undefined {
  const keys: string[] = [];
  let at = node;
  for (;;) {
    if (at.type === "attribute") {
      keys.unshift(resolver.textOf(fieldChild(at, "attribute")!));
      at = fieldChild(at, "object")!;
    } else if (at.type === "subscript") {
      const key = fieldChild(at, "subscript");
      if (!key || !isPlainString(key)) return undefined;
      keys.unshift(stringBody(resolver.textOf(key)));
      at = fieldChild(at, "value")!;
    } else break;
  }
  return at.type === "identifier" ? { root: at, keys } : undefined;
}

/**
 * A value the call reads from the same config (`lr=cfg.train.lr`): the composed config's value, read at the
 * keyword, its origin where the config sets it. Undefined for anything else.
 */
function configValue(resolver: Resolver, read: ConfigRead, composed: MappingValue, node: PyNode): ResolvedValue | undefined {
  const chain = configChain(resolver, node);
  if (!chain || bindingForUse(resolver.textOf(chain.root), chain.root, resolver.index)?.stmt !== read.param) return undefined;
  if (read.through !== undefined && chain.keys[0] !== read.through) return undefined;
  const value = valueAt(composed, [...read.prefix, ...chain.keys.slice(read.through === undefined ? 0 : 1)]);
  if (!value || value.value.kind === "mapping" || value.value.kind === "unknown") return undefined;
  return { ...value, span: spanOf(node), origin: value.origin ?? { span: value.span, description: `${chain.keys.join(".")} in the Hydra config`, overridable: true } };
}

/**
 * Whether a text changes a plain dict a name holds in place (`cfg.update(...)`, `cfg["optim"].pop("lr")`, `del cfg["lr"]`),
 * which a loaded file's tree, unlike Hydra's read-only composition, allows besides the writes `rewritesConfig` sees.
 */
function mutatesConfig(body: string, name: string): boolean {
  const escaped = name.replace(/[$.]/g, "\\$&");
  const chain = `${escaped}\\s*(?:\\.[\\w]+|\\[[^\\]]*\\])*`;
  return new RegExp(`(?<![\\w.])${chain}\\.(?:update|setdefault|pop|popitem|clear)\\s*\\(|\\bdel\\s+${chain}\\[|(?<![\\w.])${escaped}\\s*\\|=`).test(body);
}

/**
 * Whether a config may be written other than by its own name: it (or a part) is handed to a call that may write into
 * it (`handedToWriter`), or a name bound to it or a part (`opt_cfg = config["optimizer"]`) is written into or handed on.
 */
function writtenElsewhere(resolver: Resolver, scope: PyNode, name: string): boolean {
  let byScope = WRITTEN_ELSEWHERE.get(resolver);
  if (!byScope) WRITTEN_ELSEWHERE.set(resolver, (byScope = new Map()));
  let byName = byScope.get(scope);
  if (!byName) byScope.set(scope, (byName = new Map()));
  let written = byName.get(name);
  if (written === undefined) byName.set(name, (written = writtenElsewhereNow(resolver, scope, name)));
  return written;
}

/**
 * Per resolver: `writtenElsewhere` by scope and name. Every config read of a file asks it again for the same function
 * and name, and each answer walks every call of the file.
 */
const WRITTEN_ELSEWHERE = new WeakMap<Resolver, Map<PyNode, Map<string, boolean>>>();

function writtenElsewhereNow(resolver: Resolver, scope: PyNode, name: string): boolean {
  if (handedToWriter(resolver, scope, name)) return true;
  const body = resolver.textOf(scope);
  const escaped = name.replace(/[$.]/g, "\\$&");
  const alias = new RegExp(String.raw`^[ \t]*(\w+)\s*=\s*${escaped}\s*(?:\.\w+|\[[^\]]*\])*[ \t]*(?:#.*)?$`, "gm");
  for (const [, other] of body.matchAll(alias)) {
    if (other !== name && (rewritesConfig(body, other) || mutatesConfig(body, other) || handedToWriter(resolver, scope, other))) return true;
  }
  return false;
}

/** Calls that read what they are handed and write nothing into it: the libraries', and logging of any kind. */
const READS_CONFIG = /^(?:builtins|torch|logging|pprint|json|yaml|ruamel_yaml|ruamel|omegaconf|wandb|mlflow|os|numpy|random|pickle|copy)\.|\.(?:info|debug|warning|warn|error|log)$/;

/**
 * Whether a loaded config (or a part of it) is handed, inside a scope, to a call that may write into it: a function
 * of the file whose body writes into the parameter it arrives in (`set_lr(config)` with `c["lr"] = ...`), or any
 * other call handed the whole config whose result is dropped (`utils.merge_args(config, args)`) besides the libraries'
 * and logging.
 */
function handedToWriter(resolver: Resolver, scope: PyNode, name: string): boolean {
  const rootOf = (arg: PyNode): PyNode => {
    let at = arg;
    while (at.type === "attribute" || at.type === "subscript") at = fieldChild(at, at.type === "attribute" ? "object" : "value")!;
    return at;
  };
  for (const call of resolver.index.calls) {
    if (call.start < scope.start || call.end > scope.end) continue;
    const args = namedChildren(fieldChild(call, "arguments")!).filter((a) => a.type !== "comment");
    const position = args.findIndex((a) => {
      const value = a.type === "keyword_argument" ? fieldChild(a, "value") : a;
      const root = value && rootOf(value);
      return root?.type === "identifier" && resolver.textOf(root) === name;
    });
    if (position < 0) continue;
    const callee = fieldChild(call, "function")!;
    const ref = callee.type === "identifier" || callee.type === "attribute" ? resolver.ref(callee) : undefined;
    if (ref?.kind === "function") {
      const handed = args[position];
      const declared = namedChildren(fieldChild(ref.node, "parameters")!);
      const param = handed.type === "keyword_argument" ? resolver.textOf(fieldChild(handed, "name")!) : declared[position] && declared.slice(0, position + 1).every((p) => p.type === "identifier" || p.type === "typed_parameter" || p.type === "default_parameter" || p.type === "typed_default_parameter") ? resolver.textOf(fieldChild(declared[position], "name") ?? declared[position]) : undefined;
      const body = resolver.textOf(ref.node);
      if (param === undefined || rewritesConfig(body, param) || mutatesConfig(body, param)) return true;
      continue;
    }
    // Elsewhere only the whole config counts: a key read (`schedule(opt, cfg["max_epoch"])`) hands on a value.
    const whole = args.some((a) => a.type === "identifier" && resolver.textOf(a) === name);
    const path = resolver.pathOf(callee) ?? resolver.textOf(callee);
    if (whole && call.parent?.type === "expression_statement" && !READS_CONFIG.test(path)) return true;
  }
  return false;
}

/** Whether a function's text changes its config before using it (`cfg.optimizer.lr = ...`, `OmegaConf.update(cfg, ...)`, `open_dict`). */
function rewritesConfig(body: string, name: string): boolean {
  const escaped = name.replace(/[$.]/g, "\\$&");
  const write = new RegExp(`(?:^|[\\s;])${escaped}\\s*(?:\\.[\\w.]+|\\[[^\\]]*\\])+\\s*(?:[-+*/]?=)(?!=)`, "m");
  return write.test(body) || /\bOmegaConf\.(?:update|merge|set_struct|set_readonly)\s*\(|\bopen_dict\s*\(/.test(body);
}

/** The mapping at a path of keys in a config tree. */
function nodeAt(root: MappingValue, keys: readonly string[]): MappingValue | undefined {
  const value = valueAt(root, keys);
  return isMapping(value) ? value : undefined;
}

/** The value at a path of keys in a config tree. */
function valueAt(root: MappingValue, keys: readonly string[]): ResolvedValue | undefined {
  let at: ResolvedValue = root;
  for (const key of keys) {
    if (!isMapping(at)) return undefined;
    const entry = entryOf(at, key);
    if (!entry) return undefined;
    at = entry.value;
  }
  return at;
}

/** Whether a config node asks Hydra for a partial (`_partial_: true`): the call then builds a factory, called later with other arguments. */
function isPartial(node: MappingValue): boolean {
  const partial = entryOf(node, "_partial_")?.value.value;
  return partial !== undefined && !(partial.kind === "bool" && !partial.value);
}

/**
 * The construction a call makes from a config site: the config's arguments, the call's keyword arguments over them,
 * and its positional arguments after the config (the parameters, then the class's positional parameters).
 * Undefined when the call passes what cannot be read as arguments (a spread, a `_target_`, `_args_`, `_partial_`).
 */
function joinedSite(project: ProjectContext, resolver: Resolver, valueOf: (node: PyNode) => ResolvedValue, call: PyNode, rest: PyNode[], config: OptimizerSite, id: string, factory = false): OptimizerSite | undefined {
  const info = optimizerByName(config.canonical);
  if (!info) return undefined;
  // The config's own spans name its file: those of the primary itself name none yet.
  const primaryFile = config.id.slice(0, config.id.lastIndexOf("#"));
  const fromConfig = mapEverySiteSpan(config, (s) => (s.file === undefined ? { ...s, file: primaryFile } : s));
  const args = new Map<string, ArgumentFact>(fromConfig.args);
  let params: ParamsFact = { kind: "missing" };
  let positional = 0;
  for (const arg of rest) {
    if (arg.type === "list_splat" || arg.type === "dictionary_splat") return undefined;
    if (arg.type === "keyword_argument") {
      const key = resolver.textOf(fieldChild(arg, "name")!);
      const value = fieldChild(arg, "value")!;
      if (key === "params") params = paramsFact(resolver, value);
      else if (key.startsWith("_") && key.endsWith("_")) {
        if (factory || !HYDRA_KEYS_KEPT.has(key)) return undefined;
      } else args.set(key, { name: key, value: valueOf(value), span: spanOf(arg), how: "keyword" });
      continue;
    }
    const at = positional++;
    if (at === 0) params = paramsFact(resolver, arg);
    else if (at - 1 < info.positional && at - 1 < info.signature.length) {
      const name = info.signature[at - 1];
      args.set(name, { name, value: valueOf(arg), span: spanOf(arg), how: "positional" });
    } else return undefined;
  }
  const home = configHome(project, fromConfig.nameSpan);
  const callee = fieldChild(call, "function");
  return {
    id,
    canonical: config.canonical,
    span: spanOf(call),
    nameSpan: fromConfig.nameSpan,
    args,
    hasUnresolvedSpread: config.hasUnresolvedSpread,
    params,
    ...(home && callee ? { builtFrom: { file: home.file, site: home.site, call: `${resolver.textOf(callee).replace(/\s+/g, "")}()` } } : {}),
    adapterData: { language: "python" },
  };
}

/** Each config file's optimizer sites as its own analysis found them, kept when `supersede` takes them out of its facts. */
const ownSites = new WeakMap<object, readonly OptimizerSite[]>();

/**
 * The construction as the config file that names its class describes it alone (its own offsets and edit data): the
 * Hydra site of that file whose `_target_` value is at `nameSpan`. Undefined when the file or the site is not known.
 */
function configHome(project: ProjectContext, nameSpan: Span): { file: string; site: OptimizerSite } | undefined {
  const file = nameSpan.file === undefined ? undefined : project.file(nameSpan.file);
  if (!file) return undefined;
  const sites = ownSites.get(file.analyzed) ?? file.analyzed.facts.optimizers;
  const site = sites.find((s) => s.dialect === "hydra" && s.nameSpan.file === undefined && s.nameSpan.start === nameSpan.start && s.nameSpan.end === nameSpan.end);
  return site && { file: file.path, site };
}

/**
 * The schedulers a config builds, tied to a joined construction: the app that builds the optimizer from this config
 * may build them on it, so rules that need to know the lr schedule see them (a scheduler of unknown effect keeps the
 * lr unjudged, as it does for the config judged alone).
 */
function configSchedulers(tree: MappingValue, filePath: string, site: string): SchedulerFact[] {
  return recognizeConfig(tree, { filePath, firstId: 0 }).schedulers.map((s) => ({ ...s, optimizerSite: site }));
}

/** The model kinds and precision the file's code ties to the joined constructions (by the parameters each call passes). */
function addModelFacts(resolver: Resolver, facts: TrainingFacts, joined: OptimizerSite[]): void {
  const ids = new Set(joined.map((s) => s.id));
  const found = withModelFacts(resolver, { ...emptyFacts(), optimizers: joined });
  // A fact about the whole file (an RL import) bears on the joined constructions too. The file's own analysis holds
  // it already when one ran (the file built a construction of its own); a file known only through the join has none,
  // so the fact is tied to the joined constructions it does not leave out.
  const tied = <T extends { sites?: string[]; span: Span; exceptSites?: string[] }>(list: T[] | undefined, own: readonly T[]): T[] =>
    (list ?? []).flatMap((f): T[] => {
      if (f.sites) return f.sites.some((id) => ids.has(id)) ? [f] : [];
      if (own.some((g) => g.sites === undefined && sameSpan(g.span, f.span))) return [];
      const sites = [...ids].filter((id) => !f.exceptSites?.includes(id));
      const { exceptSites: _left, ...rest } = f;
      return sites.length > 0 ? [{ ...rest, sites } as T] : [];
    });
  const kinds = facts.modelHints.kinds ?? [];
  facts.modelHints = { ...facts.modelHints, kinds: [...kinds, ...tied(found.modelHints.kinds, kinds)] };
  facts.precision = [...(facts.precision ?? []), ...tied(found.precision, facts.precision ?? [])];
}

/**
 * The same optimizer judged from its YAML alone (in the file that writes its `_target_`, or in the primary's
 * composition) is left out wherever a joined construction builds it: the joined one holds its values and the call's.
 */
function supersede(project: ProjectContext, joined: OptimizerSite[]): void {
  const targets = new Set(joined.map((s) => spanKey(s.nameSpan, "")));
  for (const file of project.files) {
    const facts = file.analyzed.facts;
    if (!facts.optimizers.some((s) => s.dialect === "hydra")) continue;
    if (!ownSites.has(file.analyzed)) ownSites.set(file.analyzed, facts.optimizers);
    facts.optimizers = facts.optimizers.filter((s) => s.dialect !== "hydra" || !targets.has(spanKey(s.nameSpan, file.path)));
  }
}

function spanKey(span: Span, host: string): string {
  return `${path.normalize(span.file ?? host)}:${span.start}:${span.end}`;
}

/** A path as written from one file's folder to another file. */
function relative(from: string, to: string): string {
  return path.relative(path.dirname(from), to).split(path.sep).join("/");
}
