/** Helpers shared by several rules: effective argument values, provenance notes and settings for `simulate`. */
import type { ArgumentFact, ModelKind, ModelKindFact, OptimizerSite, ParamGroupFact, ResolvedValue, Span, TrainingFacts } from "../src/core/facts.js";
import { asBool, asNumber, asNumbers } from "../src/core/facts.js";
import type { Knowledge, OptimizerInfo } from "../src/knowledge/index.js";
import { lastSegment } from "../src/knowledge/dotted.js";
import type { LiteralValue, OptimizerConfig } from "../src/core/types.js";

/** An argument as the optimizer will see it: what was passed, the class default, or unknown. */
type Effective =
  | { source: "passed"; arg: ArgumentFact }
  | { source: "default"; value: LiteralValue }
  | { source: "unknown" };

/** The effective value of a parameter at a construction; absent under an unresolved spread means unknown. */
function effectiveArg(site: OptimizerSite, info: OptimizerInfo, name: string): Effective {
  const arg = site.args.get(name);
  if (arg) return { source: "passed", arg };
  if (site.hasUnresolvedSpread || !(name in info.defaults)) return { source: "unknown" };
  return { source: "default", value: info.defaults[name] };
}

/** The effective numeric value of a parameter, when known. */
export function effectiveNumber(site: OptimizerSite, info: OptimizerInfo, name: string): number | undefined {
  const e = effectiveArg(site, info, name);
  if (e.source === "passed") return asNumber(e.arg.value);
  if (e.source === "default") return literalNumber(e.value);
  return undefined;
}

/** The effective boolean value of a parameter, when known (Python truthiness for numbers). */
export function effectiveBool(site: OptimizerSite, info: OptimizerInfo, name: string): boolean | undefined {
  const e = effectiveArg(site, info, name);
  if (e.source === "passed") return asBool(e.arg.value);
  if (e.source === "default") {
    const n = literalNumber(e.value);
    return n === undefined ? undefined : n !== 0;
  }
  return undefined;
}

/** A default's numeric value (bools as 0/1), when it is a number or a bool. */
function literalNumber(value: LiteralValue): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

/**
 * Whether weight decay at a site is coupled to the gradient (true), decoupled (false) or unknown:
 * a decay flag passed with an unresolved value, or hidden behind an unresolved spread, is unknown.
 */
export function siteDecayIsCoupled(knowledge: Knowledge, site: OptimizerSite, info: OptimizerInfo): boolean | undefined {
  if (info.decay.style !== "flag") return knowledge.decayIsCoupled(info, undefined);
  const flag = effectiveBool(site, info, info.decay.flag);
  return flag === undefined ? undefined : knowledge.decayIsCoupled(info, flag);
}

/**
 * Whether the parameter groups set their own value for a key, so the constructor's value is only a default:
 * every group does when all groups are known, any group does when they are not.
 */
export function groupsOverride(site: OptimizerSite, key: string): boolean {
  const params = site.params;
  if (params.kind !== "groups") return false;
  return params.complete ? params.groups.every((group) => group.values.has(key)) : params.keys.includes(key);
}

/** The parameter groups a construction is known to train: the dicts of its parameter list, then those added later (`add_param_group`). */
export function parameterGroups(site: OptimizerSite): ParamGroupFact[] {
  const listed = site.params.kind === "groups" ? site.params.groups : [];
  return site.addedGroups ? [...listed, ...site.addedGroups] : listed;
}

/** Whether a value is defined where a run can change it without editing the file (an argparse default, a config field). */
export function isOverridable(value: ResolvedValue | undefined): boolean {
  return value?.origin?.overridable === true;
}

/** A related note for a value defined away from the construction, e.g. at an argparse default. */
export function originNotes(name: string, value: ResolvedValue | undefined): { span: Span; message: string }[] {
  if (!value?.origin) return [];
  return [{ span: value.origin.span, message: `${name} is set here (${value.origin.description})` }];
}

/** Words for where a passed value came from, to put after the value in a message: ` (argparse default of --lr)`. */
export function provenance(value: ResolvedValue | undefined): string {
  return value?.origin ? ` (${value.origin.description})` : "";
}

/** A number as people write hyperparameters: `0.1`, `3e-4`, `1e-8`. */
export function formatNumber(n: number): string {
  // Computed values (0.15 / 64) read better rounded to the precision people write hyperparameters with.
  const rounded = Number(n.toPrecision(6));
  if (rounded !== 0 && (Math.abs(rounded) < 1e-3 || Math.abs(rounded) >= 1e5)) return rounded.toExponential().replace("e+", "e");
  return String(rounded);
}

/** A literal value as it reads in a message. */
export function formatLiteral(value: LiteralValue): string {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `(${value.map(formatNumber).join(", ")})`;
  return value === null ? "None" : JSON.stringify(value);
}

/** The known numeric, boolean and numeric-sequence settings of a construction, passed or default. */
function optimizerSettings(site: OptimizerSite, info: OptimizerInfo): OptimizerConfig {
  const options: OptimizerConfig["options"] = {};
  const names = new Set([...info.signature, ...Object.keys(info.defaults)]);
  for (const name of names) {
    const e = effectiveArg(site, info, name);
    if (e.source === "passed") {
      const v = e.arg.value.value;
      if (v.kind === "number" || v.kind === "bool") options[name] = v.value;
      else {
        const items = asNumbers(e.arg.value);
        if (items) options[name] = items;
      }
    } else if (e.source === "default") {
      if (typeof e.value === "number" || typeof e.value === "boolean") options[name] = e.value;
      else if (Array.isArray(e.value)) options[name] = [...e.value];
    }
  }
  return { optimizer: info.short, options };
}

/** Settings before and after a change of some options (and optionally of the optimizer class). */
export function settingsChange(
  site: OptimizerSite,
  info: OptimizerInfo,
  changes: Record<string, number | boolean | number[]>,
  after?: OptimizerInfo,
): { before: OptimizerConfig; after: OptimizerConfig } {
  const before = optimizerSettings(site, info);
  const options: OptimizerConfig["options"] = { ...before.options, ...changes };
  if (after) {
    for (const name of Object.keys(options)) {
      if (!after.signature.includes(name)) delete options[name];
    }
  }
  return { before, after: { optimizer: (after ?? info).short, options } };
}

/** The class name users write for an optimizer: `Adam`, `FusedAdam`. */
export function className(info: OptimizerInfo): string {
  return lastSegment(info.canonical);
}

/**
 * Whether a checkpoint load that every run performs after the construction replaces its hyperparameters
 * (`optimizer.load_state_dict(...)`, `trainer.fit(ckpt_path=...)`): the values written at the construction then
 * never train, so rules that judge them stay silent. A load under `if args.resume:` leaves fresh runs that use them.
 */
export function valuesReplacedByCheckpoint(site: OptimizerSite): boolean {
  return site.stateRestored?.conditional === false;
}

/** The sentence rule pages share about constructions whose settings a checkpoint replaces. */
export const CHECKPOINT_NOTE =
  "A construction whose state is loaded from a checkpoint on every run right after it (`optimizer.load_state_dict(...)`, `trainer.fit(ckpt_path=...)`, `accelerator.load_state(...)`) is not reported: the checkpoint's values replace the ones written there. A load under a condition such as `if args.resume:` does not count, since a fresh run still uses the written values.";

/**
 * The model-kind evidence that bears on a construction: what is known about the model whose parameters it trains,
 * and what is known about the whole file (an RL library import). A kind nothing shows is unknown.
 */
export function modelKindsOf(facts: TrainingFacts, site: OptimizerSite): Map<ModelKind, ModelKindFact> {
  const kinds = new Map<ModelKind, ModelKindFact>();
  for (const fact of facts.modelHints.kinds ?? []) {
    if ((fact.sites === undefined ? !fact.exceptSites?.includes(site.id) : fact.sites.includes(site.id)) && !kinds.has(fact.kind)) kinds.set(fact.kind, fact);
  }
  return kinds;
}

/** The first evidence of any of the given kinds at a construction, in the order given. */
export function firstKind(kinds: Map<ModelKind, ModelKindFact>, wanted: ModelKind[]): ModelKindFact | undefined {
  for (const kind of wanted) {
    const fact = kinds.get(kind);
    if (fact) return fact;
  }
  return undefined;
}

/** A related note that shows the evidence of a model kind. */
export function kindNote(fact: ModelKindFact): { span: Span; message: string } {
  return { span: fact.span, message: `model kind: ${fact.description}` };
}

/**
 * The weight decay a construction is given explicitly, at the constructor or in a parameter group, when it is known
 * to be greater than zero (a constructor value every group replaces does not count).
 */
export function passedDecay(site: OptimizerSite): { value: number; source: ResolvedValue; inGroup: boolean } | undefined {
  const arg = site.args.get("weight_decay");
  const value = asNumber(arg?.value);
  if (arg && value !== undefined && value > 0 && !groupsOverride(site, "weight_decay")) return { value, source: arg.value, inGroup: false };
  for (const group of parameterGroups(site)) {
    const source = group.values.get("weight_decay");
    const n = asNumber(source);
    if (source && n !== undefined && n > 0) return { value: n, source, inGroup: true };
  }
  return undefined;
}

/**
 * Whether a construction trains a reinforcement-learning policy or value network with weight decay it is given:
 * weight-decay-in-rl (OPT014) reports that, and the other decay rules leave the same value to it. A transformer
 * trained offline on trajectories (a decision transformer) is sequence modelling, not counted.
 */
export function rlWeightDecay(facts: TrainingFacts, site: OptimizerSite): boolean {
  const kinds = modelKindsOf(facts, site);
  return kinds.has("rl-policy") && !kinds.has("transformer") && passedDecay(site) !== undefined;
}

/** Whether no run builds both constructions (alternatives picked by a flag, builders nothing joins). */
export function exclusivePair(facts: TrainingFacts, a: string, b: string): boolean {
  return (facts.exclusive ?? []).some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}
