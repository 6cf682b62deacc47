/**
 * What kind of network a Python file trains and how its parameters are stored, each tied to the optimizer
 * constructions whose parameters come from that model where the code shows it.
 *
 * A model is known by the name that holds it (`model = AutoModel.from_pretrained(...)`, `self.encoder = ...`) or, for
 * `self.parameters()` inside a class, by that class. A construction trains the models whose `.parameters()` (or
 * `.named_parameters()`) its arguments read, directly or through a name bound once to them (a parameter-group list);
 * a comprehension that keeps only the model's 1-D parameters (`if p.ndim < 2`) does not count.
 * Evidence about a model bears on the constructions that train it; evidence about the file (an RL environment
 * library) on all of them.
 */
import type { ModelKind, ModelKindFact, OptimizerSite, PrecisionFact, Span, TrainingFacts } from "../core/facts.js";
import { lastSegment } from "../knowledge/dotted.js";
import {
  BF16_DTYPES,
  EMBEDDING_LAYERS,
  GAN_DISCRIMINATOR,
  GAN_GENERATOR,
  HALF_DTYPES,
  isNonTransformerName,
  isRecurrentClassName,
  isTransformerClassName,
  KIND_LAYERS,
  kindOfModelName,
  libraryModelKind,
  PARAMETER_FREE_LAYERS,
  RL_ACTOR,
  RL_CRITIC,
  RL_PACKAGES,
  STACKED_LAYERS,
} from "../knowledge/models.js";
import { Flows } from "./flows.js";
import { helperParameterArguments } from "./param-helpers.js";
import { contains, fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { bindingForUse, callWithSpan, forEachDescendant, importBindingsOf, isPlainString, scopeOf, stringBody } from "./scope.js";
import { lastName, type ClassModel, type Resolver } from "./values.js";

/** A construction with the call that builds it, and the module it is handed when a factory takes one (timm). */
interface ConstructedSite {
  site: OptimizerSite;
  call: PyNode;
  module?: PyNode;
}

/** Evidence about one model, before it is tied to constructions. */
interface Evidence {
  kind: ModelKind;
  span: Span;
  description: string;
}

/** Methods that return the module they are called on (`Net().to(device)`, `model.cuda()`). */
const SAME_MODULE = new Set(["to", "cuda", "cpu", "train", "eval", "half", "float", "bfloat16", "double", "requires_grad_", "to_empty"]);
/** Wrappers that return the module they wrap, for the purpose of its parameters (`DDP(model)`, `torch.compile(model)`). */
const WRAPPERS = new Set(["DistributedDataParallel", "DataParallel", "FullyShardedDataParallel", "compile"]);

/** Calls whose presence means the optimizer steps fp32 master weights: autocast and GradScaler, apex amp, DeepSpeed. */
const MASTER_WEIGHT_PATHS: [RegExp, string][] = [
  [/^torch\.(cuda\.)?amp\.(grad_scaler\.)?GradScaler$/, "a GradScaler runs mixed precision, which keeps fp32 master weights"],
  [/^torch\.(cuda\.|cpu\.)?(amp\.)?autocast$/, "autocast runs mixed precision, which keeps fp32 parameters"],
  [/^apex\.amp\.initialize$/, "apex amp keeps fp32 master weights"],
  [/^apex\.(fp16_utils\.)?FP16_Optimizer$/, "apex's FP16_Optimizer keeps fp32 master weights"],
  [/^deepspeed\.initialize$/, "DeepSpeed manages the optimizer (its fp16 mode keeps fp32 master weights)"],
  [/^accelerate\.Accelerator$/, "Accelerate manages precision (its fp16 mode keeps fp32 master weights)"],
  [/^(pytorch_)?lightning\.(pytorch\.)?Trainer$|^pytorch_lightning\.Trainer$/, "Lightning's Trainer manages precision (its 16-bit mode keeps fp32 master weights)"],
  [/^transformers\.(Seq2Seq)?Trainer$/, "the HF Trainer manages precision (its fp16 mode keeps fp32 master weights)"],
];

/** Names of a project's own mixed-precision machinery, whatever module they come from. */
const OWN_MASTER_WEIGHTS = /(fp16|half|mixed_?precision).*(optim|trainer|wrapper)|mixed_?precision|master_?param|loss_?scaler|GradScaler/i;

/** The file's facts with the model kinds and precision its code shows added to those its configs stated. */
export function withModelFacts(resolver: Resolver, facts: TrainingFacts): TrainingFacts {
  const constructed: ConstructedSite[] = [];
  for (const site of facts.optimizers) {
    if (site.span.file !== undefined) continue;
    const call = callWithSpan(resolver.index, site.span.start, site.span.end);
    if (call && site.dialect === undefined) constructed.push({ site, call });
    else if (site.dialect === "timm") {
      // create_optimizer_v2(model, ...): the model itself is the first argument.
      const factory = resolver.index.calls.find((c) => c.start <= site.span.start && site.span.end <= c.end && lastName(fieldChild(c, "function")!, resolver.text) === "create_optimizer_v2");
      const args = factory ? namedChildren(fieldChild(factory, "arguments")!) : [];
      const keyword = args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === "model");
      const module = keyword ? fieldChild(keyword, "value") : args[0]?.type === "keyword_argument" ? undefined : args[0];
      if (factory) constructed.push({ site, call: factory, ...(module ? { module } : {}) });
    }
  }
  const found = new ModelReader(resolver, constructed).read(facts.modelHints.freezesParameters);
  facts.modelHints = { ...facts.modelHints, kinds: [...found.kinds, ...(facts.modelHints.kinds ?? [])], ...(found.scopedFreezes.length > 0 ? { scopedFreezes: found.scopedFreezes } : {}) };
  facts.precision = [...found.precision, ...(facts.precision ?? [])];
  return facts;
}

class ModelReader {
  private readonly classKinds = new Map<PyNode, Evidence[]>();
  private readonly classInProgress = new Set<PyNode>();
  /** Evidence per model key (a holder's text, or `class@<offset>` for `self` in a class). */
  private readonly byModel = new Map<string, Evidence[]>();
  /** Model keys with the span of their construction, for GAN pairing by name. */
  private readonly holders = new Map<string, { name: string; span: Span }>();
  private readonly flows: Flows;

  constructor(
    private readonly resolver: Resolver,
    private readonly constructed: ConstructedSite[],
  ) {
    this.flows = Flows.of(resolver.index);
  }

  read(freezes: Span[]): { kinds: ModelKindFact[]; precision: PrecisionFact[]; scopedFreezes: { span: Span; sites: string[] }[] } {
    this.readHolders();
    this.readSelfClasses();
    // Generator and discriminator held side by side: both are the networks of a GAN.
    this.pairRoles(GAN_GENERATOR, GAN_DISCRIMINATOR, "gan", "a generator and a discriminator are trained side by side (a GAN)");
    // Actor and critic networks held side by side: an actor-critic RL agent (DDPG, TD3, SAC, PPO).
    this.pairRoles(RL_ACTOR, RL_CRITIC, "rl-policy", "an actor and a critic network are trained side by side, as in an actor-critic agent");
    const trains = this.constructed.map(({ site, call, module }) => ({ site, call, keys: this.trainedModels(call, module) }));
    const tie = (key: string): string[] => trains.filter((t) => t.keys.has(key)).map((t) => t.site.id);
    const kinds: ModelKindFact[] = [];
    // Linear evidence says the whole model is one layer: it bears only on a construction whose every model is linear
    // and built where the optimizer is (a name of another scope, such as a function's parameter, may hold any network).
    const linearKey = (key: string, call: PyNode): boolean =>
      this.byModel.get(key)?.some((e) => e.kind === "linear") === true &&
      (key.startsWith("class@") || bindingForUse(key.split(".")[0], call, this.resolver.index)?.kind === "assign");
    const allLinear = new Set(trains.filter((t) => t.keys.size > 0 && [...t.keys].every((key) => linearKey(key, t.call))).map((t) => t.site.id));
    // A construction whose parameters cannot be traced to a model gets no model's evidence: that would be a guess.
    for (const [key, evidence] of this.byModel) {
      const sites = tie(key);
      for (const e of evidence) kinds.push({ ...e, sites: e.kind === "linear" ? sites.filter((id) => allLinear.has(id)) : sites });
    }
    kinds.push(...this.fileKinds());
    const precision = this.precision(trains, tie);
    const order = (a: { span: Span }, b: { span: Span }) => a.span.start - b.span.start;
    return { kinds: dedupe(kinds).sort(order), precision: dedupe(precision).sort(order), scopedFreezes: this.scopedFreezes(freezes, trains) };
  }

  /**
   * Freezes that name one model built in the file by a construction of its own (`encoder = Encoder()`, then `for p
   * in encoder.parameters(): p.requires_grad = False`, `encoder.requires_grad_(False)`, `encoder.layer.freeze()`),
   * each with the constructions it bears on. A construction is spared only when every model it trains is another
   * name built by its own construction and no call or assignment of the file names both (`Net(encoder)`,
   * `model.encoder = encoder` link them); parameters of unknown origin, `self` and aliases keep the freeze.
   */
  private scopedFreezes(freezes: Span[], trains: { site: OptimizerSite; keys: Set<string> }[]): { span: Span; sites: string[] }[] {
    const out: { span: Span; sites: string[] }[] = [];
    const linked = new Map<string, boolean>();
    const links = (a: string, b: string): boolean => {
      const key = `${a} ${b}`;
      let found = linked.get(key);
      if (found === undefined) {
        const words = [new RegExp(`\\b${a}\\b`), new RegExp(`\\b${b}\\b`)];
        found = [...this.resolver.index.calls, ...this.resolver.index.assignments].some((n) => words.every((w) => w.test(this.text(n))));
        linked.set(key, found);
      }
      return found;
    };
    const ownModel = (root: string): boolean => /^[A-Za-z_]\w*$/.test(root) && root !== "self" && this.holders.has(root);
    for (const span of freezes) {
      if (span.file !== undefined) continue;
      const frozen = this.frozenModel(span);
      const root = frozen?.split(".")[0];
      if (!root || !ownModel(root)) continue;
      const spared = (keys: Set<string>): boolean =>
        keys.size > 0 &&
        [...keys].every((key) => {
          const other = key.split(".")[0];
          return other !== root && ownModel(other) && !links(root, other);
        });
      out.push({ span, sites: trains.filter((t) => !spared(t.keys)).map((t) => t.site.id) });
    }
    return out;
  }

  /** The model expression a freeze names (its key), or undefined when it names none this reader can tell. */
  private frozenModel(span: Span): string | undefined {
    const assignment = this.resolver.index.assignments.find((a) => a.start === span.start && a.end === span.end);
    const call = assignment ? undefined : callWithSpan(this.resolver.index, span.start, span.end);
    const target = assignment ? fieldChild(assignment, "left") : call ? fieldChild(call, "function") : undefined;
    if (target?.type !== "attribute") return undefined;
    if (call && !["requires_grad_", "freeze"].includes(lastName(target, this.resolver.text) ?? "")) return undefined;
    const object = fieldChild(target, "object")!;
    // `for p in encoder.parameters(): p.requires_grad = False` (or `for name, p in encoder.named_parameters():`).
    if (object.type === "identifier") {
      const name = this.text(object);
      for (let p = object.parent; p && p.type !== "function_definition" && p.type !== "module"; p = p.parent) {
        if (p.type !== "for_statement") continue;
        const left = fieldChild(p, "left");
        const bound = left ? (left.type === "identifier" ? [left] : namedChildren(left)) : [];
        if (!bound.some((b) => b.type === "identifier" && this.text(b) === name)) continue;
        const iterable = fieldChild(p, "right");
        const callee = iterable?.type === "call" ? fieldChild(iterable, "function") : undefined;
        const method = callee?.type === "attribute" ? lastName(callee, this.resolver.text) : undefined;
        return method === "parameters" || method === "named_parameters" ? this.keyOf(fieldChild(callee!, "object")!) : undefined;
      }
    }
    return this.keyOf(object);
  }

  private text(node: PyNode): string {
    return this.resolver.textOf(node);
  }

  /** The key of a model expression: `model` (wrappers and `.module` looked through), or a class for `self`. */
  private keyOf(node: PyNode): string | undefined {
    let text = this.text(node).replace(/\s+/g, "");
    text = text.replace(/(\.module)+$/, "");
    if (!/^[A-Za-z_][\w.]*$/.test(text)) return undefined;
    if (text === "self" || text.startsWith("self.")) {
      const cls = enclosingClass(node);
      if (!cls) return undefined;
      return text === "self" ? `class@${cls.start}` : `class@${cls.start}:${text}`;
    }
    return text;
  }

  /**
   * Assignments of a model construction to a name or attribute. A name built in several places
   * (`model = TransformerModel(...)` in one branch, `model = RNNModel(...)` in the other) holds a kind only
   * when every construction shows it: which one trains is a run-time choice.
   */
  private readHolders(): void {
    const built = new Map<string, Evidence[][]>();
    for (const assignment of this.resolver.index.assignments) {
      if (assignment.type !== "assignment") continue;
      const target = fieldChild(assignment, "left");
      const right = fieldChild(assignment, "right");
      if (!target || !right || (target.type !== "identifier" && target.type !== "attribute")) continue;
      const key = this.keyOf(target);
      if (!key) continue;
      const construction = this.construction(right);
      if (!construction) continue;
      const evidence = this.kindsOfConstruction(construction);
      const name = lastName(target, this.resolver.text) ?? key;
      this.holders.set(key, { name, span: spanOf(construction) });
      // `model = fabric.setup(model)` hands the same model on: no construction of its own.
      const passesItself = namedChildren(fieldChild(construction, "arguments")!).some((a) => {
        const value = a.type === "keyword_argument" ? fieldChild(a, "value") : a;
        return value !== undefined && this.keyOf(value) === key;
      });
      if (!passesItself) built.set(key, [...(built.get(key) ?? []), evidence]);
      const cls = this.localClass(construction);
      if (cls) this.holders.set(key, { name: `${name}|${cls.name}`, span: spanOf(construction) });
    }
    for (const [key, each] of built) {
      const shared = each.slice(1).reduce((kinds, evidence) => new Set(evidence.map((e) => e.kind).filter((k) => kinds.has(k))), new Set(each[0].map((e) => e.kind)));
      const evidence = each.flat().filter((e) => shared.has(e.kind));
      if (evidence.length > 0) this.add(key, evidence);
    }
  }

  /** `self.parameters()` in a class: the class's own evidence, under its key. */
  private readSelfClasses(): void {
    for (const { call, module } of this.constructed) {
      for (const receiver of [...this.parameterReceivers(call), ...(module ? [module] : [])]) {
        if (this.text(receiver) !== "self") continue;
        const cls = enclosingClass(receiver);
        const model = cls && this.resolver.classModel(cls);
        if (!cls || !model) continue;
        const key = `class@${cls.start}`;
        if (!this.holders.has(key)) {
          this.holders.set(key, { name: model.name, span: spanOf(fieldChild(cls, "name") ?? cls) });
          this.add(key, this.kindsOfClass(model));
        }
      }
    }
  }

  private add(key: string, evidence: Evidence[]): void {
    const list = this.byModel.get(key) ?? [];
    list.push(...evidence);
    this.byModel.set(key, list);
  }

  /** Holders named for two roles that only train together (a GAN's two networks): when both are held, each is of that kind. */
  private pairRoles(first: RegExp, second: RegExp, kind: "gan" | "rl-policy", description: string): void {
    const named = (re: RegExp) => [...this.holders].filter(([, h]) => h.name.split("|").some((n) => re.test(n)));
    const firsts = named(first);
    const seconds = named(second);
    if (firsts.length === 0 || seconds.length === 0) return;
    for (const [key, holder] of [...firsts, ...seconds]) this.add(key, [{ kind, span: holder.span, description }]);
  }

  /** The call that builds a model, looking through `.to(...)`, `.cuda()` and wrappers such as DDP. */
  private construction(node: PyNode): PyNode | undefined {
    let current: PyNode | undefined = node;
    for (let depth = 0; current && depth < 8; depth++) {
      if (current.type === "parenthesized_expression") {
        current = namedChildren(current)[0];
        continue;
      }
      if (current.type !== "call") return undefined;
      const callee = fieldChild(current, "function");
      const last = callee ? lastName(callee, this.resolver.text) : undefined;
      if (callee?.type === "attribute" && last && SAME_MODULE.has(last)) {
        current = fieldChild(callee, "object");
        continue;
      }
      const path = callee ? this.resolver.pathOf(callee) : undefined;
      if ((last && WRAPPERS.has(last)) || (path && WRAPPERS.has(lastSegment(path)))) {
        // DDP(Net().cuda()), torch.compile(Net()): the wrapped module is the model.
        const first = namedChildren(fieldChild(current, "arguments")!)[0];
        current = first && first.type !== "keyword_argument" ? first : undefined;
        continue;
      }
      return current;
    }
    return undefined;
  }

  /** The local class a construction instantiates, if any. */
  private localClass(call: PyNode): ClassModel | undefined {
    const target = this.resolver.ref(fieldChild(call, "function"));
    return target?.kind === "class" ? target.cls : undefined;
  }

  /** What a construction builds: a library model, a torch.nn container or layer, or an instance of a local class. */
  private kindsOfConstruction(call: PyNode): Evidence[] {
    const callee = fieldChild(call, "function");
    if (!callee) return [];
    const cls = this.localClass(call);
    if (cls) {
      return this.kindsOfClass(cls).map((e) => ({ ...e, span: spanOf(call), description: `${cls.name} is built here: ${e.description}` }));
    }
    const path = this.resolver.pathOf(callee);
    if (!path) return [];
    if (path === "torch.nn.Sequential" || path === "torch.nn.ModuleList") {
      const args = namedChildren(fieldChild(call, "arguments")!);
      const calls = args.flatMap((a) => this.callsIn(a));
      // Only layers built in place: a module passed in by name (`nn.Sequential(backbone, nn.Linear(...))`) may hold any network.
      const inPlace = args.every((a) => a.type === "call");
      const linear = path === "torch.nn.Sequential" && inPlace ? this.singleLinear(calls, call) : undefined;
      return linear ? [linear] : this.kindsOfLayers(calls);
    }
    if (path === "torch.nn.Linear") return [this.singleLinear([call], call)!];
    const layer = this.layerEvidence(call, path);
    if (layer) return [layer];
    const kind = libraryModelKind(path);
    if (kind === "by-name") {
      const name = this.firstString(call);
      const byName = name ? kindOfModelName(name) : undefined;
      return byName ? [{ kind: byName, span: spanOf(call), description: `the model is ${byName === "cnn" ? "a CNN" : "a transformer"} ('${name}')` }] : [];
    }
    if (kind === "transformer" && /^transformers\.AutoModel/.test(path)) {
      // An Auto class builds whatever the checkpoint is: a ResNet or Mamba checkpoint is no transformer.
      const name = this.firstString(call);
      if (name && (isNonTransformerName(name) || kindOfModelName(name) === "cnn")) return kindOfModelName(name) === "cnn" ? [{ kind: "cnn", span: spanOf(call), description: `the model is a CNN ('${name}')` }] : [];
    }
    if (kind) return [{ kind, span: spanOf(call), description: `the model is built with ${lastSegment(path.replace(/\.(from_pretrained|from_config)$/, ""))}, ${article(kind)}` }];
    const named = importedClassKind(path);
    return named ? [{ kind: named, span: spanOf(call), description: `the model is a ${lastSegment(path)}, ${article(named)}` }] : [];
  }

  /** A literal first argument (or `model_name=`), read only when the file fixes it. */
  private firstString(call: PyNode): string | undefined {
    const args = namedChildren(fieldChild(call, "arguments")!);
    const node = args.find((a) => a.type === "keyword_argument" && /^(model_name|name|pretrained_model_name_or_path)$/.test(this.text(fieldChild(a, "name")!)));
    const first = node ? fieldChild(node, "value") : args[0]?.type === "keyword_argument" ? undefined : args[0];
    if (!first) return undefined;
    const value = this.resolver.value(first);
    // A name a run can change (`--model`) is a guess about what trains.
    if (value.origin?.overridable) return undefined;
    return value.value.kind === "string" ? value.value.value : undefined;
  }

  /** A single torch.nn layer that makes a network of its kind (`nn.LSTM`, `nn.TransformerEncoder`), or a sparse embedding. */
  private layerEvidence(call: PyNode, path: string): Evidence | undefined {
    if (!path.startsWith("torch.nn.")) return undefined;
    const last = lastSegment(path);
    const kind = KIND_LAYERS[last];
    if (kind) return { kind, span: spanOf(call), description: `the model has an nn.${last} layer, ${article(kind)}` };
    if (EMBEDDING_LAYERS.has(last) && this.keywordTrue(call, "sparse")) {
      return { kind: "sparse-embedding", span: spanOf(call), description: `nn.${last}(sparse=True) produces sparse gradients` };
    }
    return undefined;
  }

  private keywordTrue(call: PyNode, name: string): boolean {
    const arg = namedChildren(fieldChild(call, "arguments")!).find((a) => a.type === "keyword_argument" && this.text(fieldChild(a, "name")!) === name);
    const value = arg && fieldChild(arg, "value");
    if (!value) return false;
    const resolved = this.resolver.value(value).value;
    return resolved.kind === "bool" && resolved.value;
  }

  /** Evidence from a list of layer constructions: single kind-making layers, and stacks of convolutions or linear layers. */
  private kindsOfLayers(calls: PyNode[]): Evidence[] {
    const out: Evidence[] = [];
    const stacks = new Map<string, PyNode[]>();
    for (const call of calls) {
      const callee = fieldChild(call, "function");
      const path = callee ? this.resolver.pathOf(callee) : undefined;
      if (path) {
        const layer = this.layerEvidence(call, path);
        if (layer) out.push(layer);
        const last = lastSegment(path);
        if (path.startsWith("torch.nn.") && STACKED_LAYERS[last]) stacks.set(last, [...(stacks.get(last) ?? []), call]);
        const imported = importedClassKind(path);
        if (imported) out.push({ kind: imported, span: spanOf(call), description: `it holds a ${lastSegment(path)}, ${article(imported)}` });
        const library = libraryModelKind(path);
        if (library && library !== "by-name" && !path.startsWith("torch.nn.")) out.push({ kind: library, span: spanOf(call), description: `it holds a ${lastSegment(path.replace(/\.(from_pretrained|from_config)$/, ""))}, ${article(library)}` });
        if (library === "by-name") {
          const name = this.firstString(call);
          const kind = name ? kindOfModelName(name) : undefined;
          if (kind) out.push({ kind, span: spanOf(call), description: `it holds '${name}', ${article(kind)}` });
        }
      }
      const cls = this.localClass(call);
      // A module that holds a linear model may put other layers around it: it is not known to be linear itself.
      if (cls) out.push(...this.kindsOfClass(cls).filter((e) => e.kind !== "linear").map((e) => ({ ...e, description: `it holds a ${cls.name}: ${e.description}` })));
    }
    for (const [layer, found] of stacks) {
      const { kind, atLeast } = STACKED_LAYERS[layer];
      if (found.length >= atLeast) out.push({ kind, span: spanOf(found[0]), description: `the model stacks ${found.length} nn.${layer} layers, ${article(kind)}` });
    }
    return out;
  }

  /** Every call inside a node (the node included), in source order. */
  private callsIn(node: PyNode): PyNode[] {
    const calls = this.resolver.index.calls;
    if (!this.callsInOrder) return calls.filter((c) => contains(node, c));
    // In file order, the calls inside a node are among those that start within it: found by bisection, not by a scan.
    let low = 0;
    let high = calls.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (calls[mid].start < node.start) low = mid + 1;
      else high = mid;
    }
    const out: PyNode[] = [];
    for (let i = low; i < calls.length && calls[i].start <= node.end; i++) if (contains(node, calls[i])) out.push(calls[i]);
    return out;
  }

  /** Whether the index lists its calls by start offset (the scope walk's order), checked once. */
  private get callsInOrder(): boolean {
    if (this.sortedCalls === undefined) {
      const calls = this.resolver.index.calls;
      this.sortedCalls = calls.every((c, i) => i === 0 || calls[i - 1].start <= c.start);
    }
    return this.sortedCalls;
  }

  private sortedCalls: boolean | undefined;

  /** What a class defined in the file is, by its name, its bases and the layers its body builds. */
  private kindsOfClass(cls: ClassModel): Evidence[] {
    const cached = this.classKinds.get(cls.node);
    if (cached) return cached;
    if (this.classInProgress.has(cls.node)) return [];
    this.classInProgress.add(cls.node);
    const out: Evidence[] = [];
    const nameNode = fieldChild(cls.node, "name");
    if (nameNode && isTransformerClassName(cls.name)) out.push({ kind: "transformer", span: spanOf(nameNode), description: `its class is named ${cls.name}, a transformer` });
    else if (nameNode && isRecurrentClassName(cls.name)) out.push({ kind: "rnn", span: spanOf(nameNode), description: `its class is named ${cls.name}, a recurrent network` });
    const bases = fieldChild(cls.node, "superclasses");
    for (const base of bases ? namedChildren(bases) : []) {
      const target = this.resolver.ref(base);
      if (target?.kind === "class") out.push(...this.kindsOfClass(target.cls).filter((e) => e.kind !== "linear"));
      const path = target?.kind === "path" ? target.path : undefined;
      if (path?.startsWith("transformers.")) {
        const kind = /PreTrainedModel$/.test(path) && !kindOfModelName(lastSegment(path)) ? "transformer" : libraryModelKind(path);
        if (kind && kind !== "by-name") out.push({ kind, span: spanOf(base), description: `its class derives from ${lastSegment(path)}, ${article(kind)}` });
      }
    }
    const own = this.callsIn(cls.node).filter((c) => enclosingClass(c) === cls.node);
    out.push(...this.kindsOfLayers(own));
    const linear = out.length === 0 && this.derivesFromModuleOnly(cls) ? this.linearClass(cls, own) : undefined;
    if (linear) out.push(linear);
    this.classInProgress.delete(cls.node);
    this.classKinds.set(cls.node, out);
    return out;
  }

  /** Whether a class's only base is `torch.nn.Module`: no base of the file or a library that could add layers. */
  private derivesFromModuleOnly(cls: ClassModel): boolean {
    const bases = fieldChild(cls.node, "superclasses");
    const list = bases ? namedChildren(bases) : [];
    return list.length === 1 && this.resolver.pathOf(list[0]) === "torch.nn.Module";
  }

  /**
   * A class whose `__init__` builds one `nn.Linear` and, besides `super().__init__()`, only parameter-free modules
   * (`nn.Sigmoid`): a linear or logistic regression. Any other call there might build parameters, so it is no
   * evidence.
   */
  private linearClass(cls: ClassModel, own: PyNode[]): Evidence | undefined {
    const init = cls.init;
    if (!init) return undefined;
    const calls = own.filter((c) => contains(init, c) && !/^super\(.*\)(\.__init__)?$/s.test(this.text(fieldChild(c, "function")!)) && this.text(fieldChild(c, "function")!) !== "super");
    const linear = this.singleLinear(calls, fieldChild(cls.node, "name") ?? cls.node);
    if (!linear) return undefined;
    // In __init__ only a call may build a layer (`self.backbone = backbone` keeps a module handed in, which may be any
    // network); in another method any call stored on self may build one (a `build()` adding layers).
    const writes = [...cls.selfWrites.values()].flat();
    if (writes.some((w) => (w.method === init ? w.value?.type !== "call" : w.value?.type === "call"))) return undefined;
    return { ...linear, description: `${cls.name} holds one nn.Linear layer, a linear model` };
  }

  /**
   * Evidence of a linear model when the calls (in source order) are one `nn.Linear` and otherwise parameter-free
   * torch.nn modules. Calls in the layer's arguments only size it (`nn.Linear(len(columns), 1)`).
   */
  private singleLinear(calls: PyNode[], at: PyNode): Evidence | undefined {
    let linear: PyNode | undefined;
    for (const call of calls) {
      if (linear && contains(linear, call)) continue;
      const callee = fieldChild(call, "function");
      const path = callee ? this.resolver.pathOf(callee) : undefined;
      if (path === "torch.nn.Linear") {
        if (linear) return undefined;
        linear = call;
      } else if (!(path?.startsWith("torch.nn.") && PARAMETER_FREE_LAYERS.has(lastSegment(path)))) return undefined;
    }
    return linear && { kind: "linear", span: spanOf(at), description: "the model is one nn.Linear layer, a linear model" };
  }

  /** The models a construction's arguments read the parameters of. */
  private trainedModels(call: PyNode, module?: PyNode): Set<string> {
    const keys = new Set<string>();
    const direct = module && this.keyOf(module);
    if (direct) keys.add(direct);
    for (const receiver of this.parameterReceivers(call)) {
      const key = this.keyOf(receiver);
      if (key) keys.add(key);
    }
    return keys;
  }

  /** Receivers of `.parameters()` / `.named_parameters()` in a construction's arguments, or in what a name there is bound to. */
  private parameterReceivers(call: PyNode): PyNode[] {
    const args = fieldChild(call, "arguments");
    if (!args) return [];
    const roots = [args];
    forEachDescendant(args, (node) => {
      if (node.type !== "identifier") return;
      const binding = bindingForUse(this.text(node), node, this.resolver.index);
      if (binding?.kind === "assign" && binding.value && !contains(binding.value, call)) roots.push(binding.value);
    });
    const receivers: PyNode[] = [];
    for (const root of roots) {
      forEachDescendant(root, (node) => {
        if (node.type !== "call") return;
        const callee = fieldChild(node, "function");
        const method = callee?.type === "attribute" ? lastName(callee, this.resolver.text) : undefined;
        const object = callee && fieldChild(callee, "object");
        if (object && (method === "parameters" || method === "named_parameters") && !keepsOnlyVectors(node, this.resolver.text)) receivers.push(object);
        else if (callee?.type === "identifier") receivers.push(...helperParameterArguments(this.resolver, node, (p) => !keepsOnlyVectors(p, this.resolver.text)));
      });
    }
    return receivers;
  }

  /**
   * Evidence about the whole file: RL environment and algorithm libraries. Module-level code runs from top to bottom,
   * so an import there is no evidence about a construction in module-level code above it: that network was built
   * before the library was loaded (a notebook's supervised section ahead of its RL one).
   */
  private fileKinds(): ModelKindFact[] {
    const out: ModelKindFact[] = [];
    const index = this.resolver.index;
    let atModule: ConstructedSite[] | undefined;
    for (const binding of importBindingsOf(index)) {
      const root = binding.importPath?.split(".")[0];
      if (!root || !RL_PACKAGES.has(root)) continue;
      const fact: ModelKindFact = { kind: "rl-policy", span: spanOf(binding.stmt), description: `the file imports ${root}, a reinforcement-learning library` };
      const atTop = scopeOf(binding.stmt, index) === index.module;
      atModule ??= this.constructed.filter(({ call }) => scopeOf(call, index) === index.module);
      const builtBefore = atTop ? atModule.filter(({ call }) => call.end <= binding.stmt.start).map(({ site }) => site.id) : [];
      // An exclusion rather than a list: constructions a joiner adds to the file later (instantiate.ts) are covered.
      out.push(builtBefore.length === 0 ? fact : { ...fact, exceptSites: builtBefore });
    }
    return out;
  }

  /** fp16 parameters, master weights and bf16, tied to the constructions that train the cast model. */
  private precision(trains: { site: OptimizerSite; keys: Set<string> }[], tie: (key: string) => string[]): PrecisionFact[] {
    const out: PrecisionFact[] = [];
    // A cast counts for a construction it precedes in a shared flow: a cast after training is for export or evaluation.
    const before = (key: string, span: Span): string[] =>
      tie(key).filter((id) => {
        const site = trains.find((t) => t.site.id === id)!.site;
        return span.start < site.span.start && this.flows.shareFlow(span, site.span);
      });
    const castKind = (dtype: string | undefined): PrecisionFact["kind"] | undefined =>
      dtype && HALF_DTYPES.has(dtype) ? "fp16-params" : dtype && BF16_DTYPES.has(dtype) ? "bf16" : undefined;
    const defaults = this.defaultDtypes(castKind);
    for (const { call, kind } of defaults) {
      if (!kind) continue;
      const sites = trains.filter(({ site, keys }) => this.builtUnderDefault(call, site, keys, defaults)).map((t) => t.site.id);
      const words = kind === "bf16" ? "bfloat16" : "float16";
      out.push({ kind, span: spanOf(call), description: `the default dtype is set to ${words} before the model is built, so its parameters are ${words}`, sites });
    }
    for (const call of this.resolver.index.calls) {
      const callee = fieldChild(call, "function");
      if (!callee) continue;
      const last = lastName(callee, this.resolver.text);
      const path = last && /^[A-Z]|autocast|initialize|FP16/.test(last) ? this.resolver.pathOf(callee) : undefined;
      const master = path ? MASTER_WEIGHT_PATHS.find(([re]) => re.test(path)) : undefined;
      if (master) {
        const dtype = this.keywordPath(call, "dtype");
        if (/autocast$/.test(path!) && dtype && BF16_DTYPES.has(dtype)) out.push({ kind: "bf16", span: spanOf(call), description: "autocast runs in bfloat16" });
        else out.push({ kind: "master-weights", span: spanOf(call), description: master[1] });
        continue;
      }
      // A project's own fp16 wrapper (`FP16Optimizer(...)`, `MixedPrecisionTrainer(...)`, a loss scaler) keeps master weights.
      if (last && OWN_MASTER_WEIGHTS.test(last)) {
        out.push({ kind: "master-weights", span: spanOf(call), description: `${last} manages fp16 training (such wrappers keep fp32 master weights)` });
        continue;
      }
      // model.half(), model.to(torch.float16), model.to(device, dtype=torch.float16), model.bfloat16()
      if (callee.type === "attribute" && (last === "half" || last === "bfloat16" || last === "to" || last === "type")) {
        const args = namedChildren(fieldChild(call, "arguments")!);
        let kind: PrecisionFact["kind"] | undefined;
        if (last === "half" && args.length === 0) kind = "fp16-params";
        else if (last === "bfloat16" && args.length === 0) kind = "bf16";
        else if (last === "to" || last === "type") kind = castKind(this.keywordPath(call, "dtype") ?? args.map((a) => (a.type === "keyword_argument" ? undefined : this.resolver.pathOf(a))).find((p) => p !== undefined));
        const object = fieldChild(callee, "object")!;
        const key = this.holderKeyOf(call) ?? this.keyOf(object);
        if (!kind || !key) continue;
        out.push({ kind, span: spanOf(call), description: kind === "bf16" ? "the model's parameters are cast to bfloat16" : "the model's parameters are cast to float16 and trained in it", sites: before(key, spanOf(call)) });
        continue;
      }
      // from_pretrained(..., torch_dtype=torch.float16)
      if (last === "from_pretrained") {
        const kind = castKind(this.keywordPath(call, "torch_dtype") ?? this.keywordPath(call, "dtype"));
        const key = this.holderKeyOf(call);
        if (!kind || !key) continue;
        out.push({ kind, span: spanOf(call), description: kind === "bf16" ? "the model is loaded in bfloat16" : "the model is loaded in float16 (torch_dtype) and trained in it", sites: before(key, spanOf(call)) });
      }
    }
    return out;
  }

  /**
   * Calls that set the default floating-point dtype, each with the precision it gives parameters built after it
   * (undefined for float32, float64 or a dtype that cannot be read): `torch.set_default_dtype(torch.float16)`,
   * `torch.set_default_tensor_type(torch.cuda.HalfTensor)` (or its name as a string).
   */
  private defaultDtypes(castKind: (dtype: string | undefined) => PrecisionFact["kind"] | undefined): { call: PyNode; kind: PrecisionFact["kind"] | undefined }[] {
    if (!/set_default_(?:dtype|tensor_type)/.test(this.resolver.text)) return [];
    const out: { call: PyNode; kind: PrecisionFact["kind"] | undefined }[] = [];
    for (const call of this.resolver.index.calls) {
      const callee = fieldChild(call, "function");
      const last = callee && lastName(callee, this.resolver.text);
      if (last !== "set_default_dtype" && last !== "set_default_tensor_type") continue;
      const path = this.resolver.pathOf(callee!);
      if (path !== `torch.${last}`) continue;
      const arg = namedChildren(fieldChild(call, "arguments")!)[0];
      const named = arg && arg.type !== "keyword_argument" ? (this.resolver.pathOf(arg) ?? (isPlainString(arg) ? stringBody(this.text(arg)) : undefined)) : undefined;
      const tensorType = named && /^torch\.(?:cuda\.)?(Half|BFloat16)Tensor$/.exec(named);
      const kind = last === "set_default_dtype" ? castKind(named) : tensorType ? (tensorType[1] === "Half" ? "fp16-params" : "bf16") : undefined;
      out.push({ call, kind });
    }
    return out;
  }

  /**
   * Whether a construction trains a model built (in this file, in a flow it shares) after a call setting the default
   * dtype, with no other such call between the two. A model whose construction is out of sight may have been built
   * before: unknown, so no.
   */
  private builtUnderDefault(call: PyNode, site: OptimizerSite, keys: Set<string>, defaults: { call: PyNode }[]): boolean {
    const span = spanOf(call);
    if (keys.size === 0 || !(span.start < site.span.start && this.flows.shareFlow(span, site.span))) return false;
    return [...keys].every((key) => {
      // `class@<offset>` is a class using its own parameters: its holder span is the class, not where it is built.
      const built = /^class@\d+$/.test(key) ? undefined : this.holders.get(key)?.span;
      if (!built || built.start < span.end || !this.flows.shareFlow(span, built)) return false;
      return !defaults.some((d) => d.call !== call && span.end <= d.call.start && d.call.start < built.start);
    });
  }

  /** The dotted path a keyword argument names (`dtype=torch.float16`). */
  private keywordPath(call: PyNode, name: string): string | undefined {
    const arg = namedChildren(fieldChild(call, "arguments")!).find((a) => a.type === "keyword_argument" && this.text(fieldChild(a, "name")!) === name);
    const value = arg && fieldChild(arg, "value");
    if (!value) return undefined;
    const path = this.resolver.pathOf(value);
    if (path) return path;
    // torch_dtype="float16" (a string transformers accepts)
    return isPlainString(value) ? `torch.${stringBody(this.text(value))}` : undefined;
  }

  /** The model key a call's result is assigned to, through `.to(...)`/`.cuda()` chains (`model = Net().half()`). */
  private holderKeyOf(call: PyNode): string | undefined {
    let node: PyNode = call;
    while (node.parent?.type === "attribute" && node.parent.parent?.type === "call") {
      const method = lastName(node.parent, this.resolver.text);
      if (!method || !SAME_MODULE.has(method)) break;
      node = node.parent.parent;
    }
    const assignment = node.parent;
    if (assignment?.type !== "assignment" || fieldChild(assignment, "right") !== node) return undefined;
    const target = fieldChild(assignment, "left");
    return target && (target.type === "identifier" || target.type === "attribute") ? this.keyOf(target) : undefined;
  }
}

/**
 * What a class imported from a module the knowledge table does not cover says by its name: `Transformer` or `GPT`
 * from the project's own models, `ResNet18` from a CIFAR repository.
 */
function importedClassKind(path: string): ModelKind | undefined {
  const root = path.split(".")[0];
  if (root === "torch" || root === "transformers" || root === "timm" || root === "torchvision" || root === "builtins") return undefined;
  const name = lastSegment(path);
  if (!/^[A-Z]/.test(name)) return undefined;
  if (isTransformerClassName(name)) return "transformer";
  return kindOfModelName(name) === "cnn" ? "cnn" : undefined;
}

/** "a transformer", "a CNN", ... for messages. */
function article(kind: ModelKind): string {
  switch (kind) {
    case "transformer":
      return "a transformer";
    case "cnn":
      return "a CNN";
    case "rnn":
      return "a recurrent network";
    case "mlp":
      return "a deep MLP";
    case "linear":
      return "a linear model";
    case "rl-policy":
      return "an RL policy";
    case "gan":
      return "a GAN";
    case "sparse-embedding":
      return "a sparse embedding";
  }
}

/** The innermost class definition a node sits in (through its methods). */
export function enclosingClass(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === "class_definition") return p;
  return undefined;
}

/**
 * A shape test that keeps only a model's 1-D or 0-D parameters: `p.ndim < 2`, `p.dim() == 1`, `len(p.shape) <= 1`.
 * An `or` or a `not` in the test may let matrices through, so such a test does not count.
 */
const VECTORS_ONLY = /(?:\.ndim|\.dim\(\)|len\([\w.]*\.shape\))\s*(?:<\s*2|<=\s*1|==\s*1|<\s*1|==\s*0)(?![\w.])/;

/**
 * `.parameters()` read by a comprehension that keeps only its 1-D parameters (`[p for p in model.parameters() if
 * p.ndim < 2]`): the biases, norm weights and scalars of the model, beside weight matrices another construction
 * trains (Muon for the matrices, Adam for the rest). Such a construction does not train the network its kind names.
 */
function keepsOnlyVectors(call: PyNode, text: string): boolean {
  const clause = call.parent;
  const comprehension = clause?.type === "for_in_clause" && fieldChild(clause, "right") === call ? clause.parent : undefined;
  if (!comprehension || !/^(list|set)_comprehension$|^generator_expression$/.test(comprehension.type)) return false;
  return namedChildren(comprehension).some((c) => {
    if (c.type !== "if_clause") return false;
    const test = text.slice(c.start, c.end);
    return VECTORS_ONLY.test(test) && !/\b(?:or|not)\b/.test(test);
  });
}

/** Facts without repeats of the same kind at the same place (merging the constructions they bear on). */
function dedupe<T extends { kind: string; span: Span; sites?: string[] }>(facts: T[]): T[] {
  const out = new Map<string, T>();
  for (const f of facts) {
    const key = `${f.kind}@${f.span.start}:${f.span.end}`;
    const seen = out.get(key);
    if (!seen) out.set(key, { ...f, ...(f.sites ? { sites: [...f.sites] } : {}) });
    else if (seen.sites && f.sites) seen.sites = [...new Set([...seen.sites, ...f.sites])];
    else if (!f.sites) delete seen.sites;
  }
  return [...out.values()];
}
