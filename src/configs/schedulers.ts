/**
 * Learning-rate schedules written in configs. Each becomes a SchedulerFact under the scheduler it builds; one the
 * knowledge table does not list keeps a canonical name of its own, so its effect on the lr counts as unknown and
 * OPT003 does not judge the optimizer's lr against it.
 */
import type { MappingEntry, ResolvedValue, SchedulerFact } from "../core/facts.js";
import { CONFIG_SCHEDULERS, GRAPHGYM_SCHEDULERS } from "../knowledge/config-names.js";
import { builtWarmupRule, isSchedulerPath, schedulerByName, warmupFrom, warmupUnder, type WarmupRule } from "../knowledge/schedulers.js";
import { asNumber } from "../core/facts.js";
import { lastSegment } from "../knowledge/dotted.js";
import { entriesOf, entryOf, espnetDeepSpeed, espnetOptimizers, fairchemOptim, graphGymOptim, isComposerRoot, isNequipRoot, isMapping, isOlmoOptimizer, mappingAt, mappings, soloLearnOptimizer, stringAt, type MappingValue } from "./recognize.js";

/** The mappings a value holds directly: itself, or the items of a list. */
function items(value: ResolvedValue | undefined): MappingValue[] {
  if (!value) return [];
  if (isMapping(value)) return [value];
  return value.value.kind === "sequence" ? value.value.items.filter(isMapping) : [];
}

/** Keys under which a `_component_` or `target` builds the learning-rate schedule (not a diffusion noise scheduler). */
const LR_SCHEDULE_KEY = /^(?:lr_)?sched(?:uler)?(?:_config)?$/i;

/** Whether a tree schedules the optimizer's momentum (beta1 for Adam): mmengine `*Momentum` schedulers, mmcv `momentum_config`. */
export function schedulesMomentum(root: MappingValue): boolean {
  for (const s of items(entryOf(root, "param_scheduler")?.value)) {
    const type = stringAt(s, "type");
    if (type !== undefined && (/Momentum$/.test(type) || (/ParamScheduler$/.test(type) && /^(?:momentum|betas)$/.test(stringAt(s, "param_name") ?? "")))) return true;
  }
  const momentumConfig = mappingAt(root, "momentum_config");
  return momentumConfig !== undefined && stringAt(momentumConfig, "policy") !== undefined;
}

/** Scheduler facts of a tree; `hf` when the tree is a TrainingArguments or axolotl file. */
export function configSchedulers(root: MappingValue, hint: "hf" | undefined): SchedulerFact[] {
  const out: SchedulerFact[] = [];
  const add = (canonical: string, value: ResolvedValue, warmup?: boolean) => out.push({ canonical, span: value.span, ...(warmup !== undefined ? { warmup } : {}) });
  // mmengine: param_scheduler = [dict(type='LinearLR', ...), dict(type='MultiStepLR', ...)]
  for (const s of items(entryOf(root, "param_scheduler")?.value)) {
    const written = stringAt(s, "type");
    // A type that cannot be read is a schedule of unknown effect, never no schedule.
    if (written === undefined && entryOf(s, "type")) add("mmengine.optim.<unknown>", s);
    // A pure-Python config names the class itself (`type=MultiStepLR` imported from mmengine.optim).
    const type = written?.startsWith("mmengine.") ? lastSegment(written) : written;
    if (type === undefined || /Momentum$|ParamScheduler$/.test(type)) continue;
    const canonical = CONFIG_SCHEDULERS.mmengine[type] ?? (type.includes(".") ? type : `mmengine.optim.${type}`);
    add(canonical, s, argumentWarmup(schedulerByName(canonical)?.warmup ?? schedulerByName(`torch.optim.lr_scheduler.${type}`)?.warmup, s));
  }
  // mmengine: a hook of its own in place of the ParamSchedulerHook that steps param_scheduler (mmyolo's
  // `YOLOv5ParamSchedulerHook` warms up and decays the lr itself, with `param_scheduler = None`): of unknown effect.
  const hooks = mappingAt(root, "default_hooks");
  const hook = hooks && mappingAt(hooks, "param_scheduler");
  const hookType = hook && stringAt(hook, "type");
  if (hook && hookType !== undefined && lastSegment(hookType) !== "ParamSchedulerHook") add(hookType.includes(".") ? hookType : `mmengine.hooks.${hookType}`, hook);
  // mmcv 1.x: lr_config = dict(policy='step', warmup='linear', ...)
  const lrConfig = mappingAt(root, "lr_config");
  const policy = lrConfig && stringAt(lrConfig, "policy");
  if (lrConfig && policy !== undefined) {
    const warmup = entryOf(lrConfig, "warmup")?.value.value;
    const known = warmup === undefined || warmup.kind === "none" ? false : warmup.kind === "string" ? true : undefined;
    add(CONFIG_SCHEDULERS.mmcv[policy] ?? `mmcv.runner.${policy}LrUpdaterHook`, lrConfig, known);
  }
  // DeepSpeed: "scheduler": {"type": "WarmupLR", ...}; WarmupLR and WarmupDecayLR set the rate to warmup_max_lr.
  const ds = mappingAt(root, "scheduler");
  const dsType = ds && stringAt(ds, "type");
  if (ds && dsType !== undefined) add(`deepspeed.runtime.lr_schedules.${dsType}`, ds, /^Warmup|^OneCycle$/.test(dsType) ? true : undefined);
  // llm-foundry and OLMo: scheduler: {name: cosine_with_warmup, t_warmup: 100ba} in the train config the
  // recognizer reads the optimizer of, which decides whose schedule it is.
  const named = isComposerRoot(root) ? mappingAt(root, "scheduler") : undefined;
  const namedName = named && stringAt(named, "name");
  if (named && namedName !== undefined) {
    const optimizer = mappingAt(root, "optimizer");
    const olmo = optimizer !== undefined && isOlmoOptimizer(optimizer);
    add(namedScheduler(named, namedName, olmo), named, namedWarmup(namedName, entryOf(named, "t_warmup"), olmo));
  }
  // fairseq: lr_scheduler: inverse_sqrt, or lr_scheduler: {_name: cosine, ...}
  const fairseq = entryOf(root, "lr_scheduler");
  const fairseqName = fairseq && (isMapping(fairseq.value) ? stringAt(fairseq.value, "_name") : undefined);
  if (fairseq && fairseqName !== undefined) {
    const updates = isMapping(fairseq.value) ? asNumber(entryOf(fairseq.value, "warmup_updates")?.value) : undefined;
    add(`fairseq.optim.lr_scheduler.${fairseqName}`, fairseq.value, updates === undefined ? undefined : updates > 0);
  }
  if (hint === "hf") {
    // A DeepSpeed config written in place with a `scheduler` section: DeepSpeed's schedule drives the rate, not the Trainer's.
    const deepspeed = mappingAt(root, "deepspeed");
    if (deepspeed && mappingAt(deepspeed, "scheduler")) out.push(...configSchedulers(deepspeed, undefined));
    else hfScheduler(root, add);
  }
  // ClassyVision: `optimizer: {param_schedulers: {lr: {name: composite, ...}}}`, of unknown effect here.
  const classy = mappingAt(root, "optimizer");
  const classyLr = classy && mappingAt(classy, "param_schedulers");
  const classyLrName = classyLr && mappingAt(classyLr, "lr");
  if (classyLrName) add(`classy_vision.optim.param_scheduler.${stringAt(classyLrName, "name") ?? "<unknown>"}`, classyLrName);
  // ESPnet: scheduler: warmuplr with scheduler_conf (numbered in GAN tasks); its schedules are of unknown effect here.
  // ESPnet's scheduler_conf defaults to an empty mapping, so beside ESPnet's optimizer pair a scheduler named without
  // one builds the schedule all the same (`scheduler: noamlr` alone rescales the written lr). With DeepSpeed on, its
  // config builds the schedule instead, so none of these runs.
  const espnet = espnetOptimizers(root).length > 0;
  for (const entry of espnetDeepSpeed(root) ? [] : entriesOf(root)) {
    if (!/^scheduler\d*$/.test(entry.key) || entry.value.value.kind !== "string") continue;
    const conf = mappingAt(root, `${entry.key}_conf`);
    if (!conf && !espnet) continue;
    const name = entry.value.value.value;
    // ESPnet reads these names as no scheduler (`str_or_none`).
    if (/^\s*(?:none|null|nil)\s*$/i.test(name)) continue;
    const steps = conf && asNumber(entryOf(conf, "warmup_steps")?.value);
    add(`espnet2.schedulers.${name}`, entry.value, /warmup/i.test(name) && steps !== undefined && steps > 0 ? true : undefined);
  }
  // GraphGym: `optim.scheduler` (`cos` when left out; `none` builds none); a name the project registers is of unknown effect.
  const optim = graphGymOptim(root);
  if (optim) {
    const written = entryOf(optim, "scheduler");
    const name = written ? stringAt(optim, "scheduler") : "cos";
    if (name !== "none") add(name === undefined ? "torch_geometric.graphgym.<unknown>" : (GRAPHGYM_SCHEDULERS[name] ?? `torch_geometric.graphgym.${name}`), written?.value ?? optim);
  }
  // solo-learn: `scheduler: {name: warmup_cosine}` (`none` builds none); every other name, or one left out, is a
  // schedule of unknown effect here.
  const solo = soloLearnOptimizer(root) ? entryOf(root, "scheduler") : undefined;
  const soloName = solo && isMapping(solo.value) ? stringAt(solo.value, "name") : undefined;
  if (solo && soloName?.toLowerCase() !== "none") add(`solo.${soloName ?? "<unknown>"}`, solo.value);
  // fairchem: `optim.scheduler` names a torch.optim.lr_scheduler class (`Null` builds none); left out, a LambdaLR of its
  // own warms up and steps the lr down at `lr_milestones`. The class's keywords come from the optim mapping itself (or
  // `scheduler_params` in newer trainers, which also give LambdaLR its `lambda_type`), so the effect stays unknown.
  const fairchem = fairchemOptim(root);
  if (fairchem) {
    const written = entryOf(fairchem, "scheduler");
    const name = written ? stringAt(fairchem, "scheduler") : undefined;
    if (name !== "Null") add(!written ? "fairchem.core.common.utils.warmup_lr_lambda" : `fairchem.core.modules.scheduler.${name ?? "<unknown>"}`, written?.value ?? fairchem);
  }
  // NequIP before 0.7: `lr_scheduler_name` names a torch.optim.lr_scheduler class (`none`, the default, builds none) whose
  // keywords come from prefixed keys: of unknown effect here.
  const nequip = isNequipRoot(root) ? entryOf(root, "lr_scheduler_name") : undefined;
  const nequipName = nequip && stringAt(root, "lr_scheduler_name");
  if (nequip && nequipName !== "none") add(`nequip.train.lr_scheduler.${nequipName ?? "<unknown>"}`, nequip.value);
  for (const { mapping: m, key } of mappings(root)) {
    // Hydra and Lightning: a scheduler class by `_target_` or `class_path`.
    const target = stringAt(m, "_target_") ?? stringAt(m, "class_path");
    if (target !== undefined && isSchedulerPath(target)) add(target, m, argumentWarmup(schedulerByName(target)?.warmup, mappingAt(m, "init_args") ?? m));
    // torchtune: `lr_scheduler: {_component_: ...}`; a component the table does not know there is a schedule of unknown effect.
    const component = stringAt(m, "_component_");
    const lrKey = LR_SCHEDULE_KEY.test(key ?? "");
    if (component !== undefined && (isSchedulerPath(component) || lrKey)) add(component, m, argumentWarmup(schedulerByName(component)?.warmup, m));
    // Latent diffusion: `scheduler_config: {target: ..., params: {...}}`, of unknown effect unless the table knows the class.
    const ldm = stringAt(m, "target");
    const ldmArgs = mappingAt(m, "params") ?? m;
    if (ldm !== undefined && (isSchedulerPath(ldm) || lrKey)) add(ldm, m, argumentWarmup(schedulerByName(ldm)?.warmup, ldmArgs));
    // HyperPyYAML: a scheduler class in a `!new:` or `!name:` tag; SpeechBrain's own (`speechbrain.nnet.schedulers.NewBobScheduler`,
    // called on the optimizer each epoch) and any class the table does not know are of unknown effect.
    const tagged = m.value.kind === "mapping" ? m.value.constructs : undefined;
    if (tagged && (isSchedulerPath(tagged.path) || /schedul/i.test(tagged.path))) add(tagged.path, m, argumentWarmup(schedulerByName(tagged.path)?.warmup, m));
    // NeMo: `optim: {name: ..., sched: {name: CosineAnnealing, warmup_steps: ...}}`; every NeMo policy is of unknown effect here.
    const nemo = key === "optim" ? mappingAt(m, "sched") : undefined;
    if (nemo && entryOf(nemo, "name")) add(`nemo.core.optim.lr_scheduler.${stringAt(nemo, "name") ?? "<unknown>"}`, nemo, nemoWarmup(nemo));
  }
  return out;
}

/** Whether a NeMo `sched` warms up: `warmup_steps` or `warmup_ratio` above 0; otherwise unknown (its policy may). */
function nemoWarmup(sched: MappingValue): boolean | undefined {
  const amounts = ["warmup_steps", "warmup_ratio"].map((k) => asNumber(entryOf(sched, k)?.value));
  return amounts.some((n) => n !== undefined && n > 0) ? true : undefined;
}

/** HF `lr_scheduler_type` (axolotl `lr_scheduler`), or the warmup keys of the default linear schedule. */
function hfScheduler(root: MappingValue, add: (canonical: string, value: ResolvedValue, warmup?: boolean) => void): void {
  const entry = entryOf(root, "lr_scheduler_type") ?? entryOf(root, "lr_scheduler");
  const warmupEntries = [entryOf(root, "warmup_steps"), entryOf(root, "warmup_ratio")].filter((e) => e !== undefined);
  const amounts = warmupEntries.map((e) => asNumber(e.value));
  // Warm-up is in force when either key is above 0; absent keys default to 0.
  const warmup = amounts.some((n) => n !== undefined && n > 0) ? true : amounts.some((n) => n === undefined) ? undefined : false;
  if (entry) {
    const v = entry.value.value;
    // The warm-up keys count only for a schedule that reads them: `constant` ignores them, an unknown name may too.
    const rule = builtWarmupRule(schedulerByName("transformers.get_scheduler"), v.kind === "string" ? v.value : undefined);
    const named = warmupUnder(rule, warmup);
    add(v.kind === "string" ? (CONFIG_SCHEDULERS.hf[v.value] ?? `transformers.SchedulerType.${v.value}`) : "transformers.SchedulerType", entry.value, named);
    return;
  }
  if (warmupEntries.length > 0) add(CONFIG_SCHEDULERS.hf.linear, warmupEntries[0].value, warmup);
}

/**
 * The class an llm-foundry or OLMo schedule name builds (CONFIG_SCHEDULERS), when its rates stay at or below the
 * optimizer's lr: no `alpha_i`/`alpha`/`alpha_f` above 1 and no `warmup_min_lr`. Otherwise a name of unknown effect.
 */
function namedScheduler(mapping: MappingValue, name: string, olmo: boolean): string {
  const known = (olmo ? CONFIG_SCHEDULERS.olmo : CONFIG_SCHEDULERS.llmfoundry)[name];
  const factors = ["alpha_i", "alpha", "alpha_f"].map((k) => entryOf(mapping, k)).filter((e) => e !== undefined);
  const bounded = factors.every((e) => { const n = asNumber(e.value); return n !== undefined && n <= 1; }) && !entryOf(mapping, "warmup_min_lr");
  return known && bounded ? known : `${olmo ? "olmo" : "llmfoundry"}.scheduler.${name}`;
}

/**
 * Whether an llm-foundry or OLMo `*_with_warmup` schedule warms up: its `t_warmup` (steps, or a Composer time string
 * such as `100ba` or `0.1dur`) above zero. OLMo's default is 100 steps; llm-foundry requires the key. Other schedules
 * are of unknown effect here.
 */
function namedWarmup(name: string, entry: MappingEntry | undefined, olmo: boolean): boolean | undefined {
  if (!name.endsWith("_with_warmup")) return undefined;
  if (!entry) return olmo ? true : undefined;
  const v = entry.value.value;
  const amount = v.kind === "number" ? v.value : v.kind === "string" ? /^\s*(\d+(?:\.\d*)?(?:e-?\d+)?)\s*(?:ba|ep|tok|sp|dur)?\s*$/i.exec(v.value)?.[1] : undefined;
  if (amount === undefined) return undefined;
  return Number(amount) > 0;
}

/** Whether a config scheduler warms up, by its knowledge-table rule and the argument the rule reads in its mapping. */
function argumentWarmup(rule: WarmupRule | undefined, args: MappingValue): boolean | undefined {
  if (rule?.kind !== "argument") return warmupFrom(rule, undefined, false);
  const entry = entryOf(args, rule.name);
  if (!entry) return args.value.kind === "mapping" && args.value.open ? undefined : warmupFrom(rule, undefined, false);
  const n = asNumber(entry.value);
  return n === undefined ? undefined : warmupFrom(rule, n, true);
}
