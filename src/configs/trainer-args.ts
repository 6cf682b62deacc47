/**
 * Dialects whose settings are flat keys of one mapping: HF `TrainingArguments` (a JSON/YAML file or the keyword
 * arguments of the call), axolotl's YAML, and timm's `create_optimizer_v2(...)` keywords.
 */
import type { ArgumentFact, MappingEntry, ParamsFact, Span } from "../core/facts.js";
import { asBool } from "../core/facts.js";
import { optimizerByName } from "../knowledge/optimizers.js";
import { configName, DEEPSPEED_NAMES, HF_NAMES, TIMM_NAMES, TRAINER_OPTIMIZER_SWITCHES } from "../knowledge/config-names.js";
import { entryOf, isMapping, mappingAt, mayBeOn, stringAt, type MappingValue, type SiteBuilder } from "./recognize.js";

/** Keys only HF TrainingArguments files have; one of them, with `learning_rate` or `optim`, marks such a file. */
const HF_KEYS = ["per_device_train_batch_size", "per_device_eval_batch_size", "output_dir", "num_train_epochs", "gradient_accumulation_steps", "logging_steps", "save_steps", "eval_strategy", "evaluation_strategy"];

/** HF's canonical argument names as TrainingArguments keys. */
const HF_KEY: Record<string, string> = { lr: "learning_rate", eps: "adam_epsilon" };

/** What the HF Trainer uses when `optim` is not given: torch's AdamW. */
const HF_DEFAULT = "adamw_torch";

/**
 * Keys that name an optimizer in other tools' flat settings (kohya's `optimizer`/`optimizer_type`, which pick Prodigy,
 * DAdaptation, Lion and more by string) and that TrainingArguments does not have. A tree with one is not read as
 * TrainingArguments: the optimizer is chosen by code we do not see, so the Trainer's default cannot be assumed.
 */
const OTHER_OPTIMIZER_KEYS = ["optimizer", "optimizer_type", "optimizer_name"];

/**
 * A TrainingArguments file (or axolotl YAML) at the root of a tree: reads its optimizer. True when the tree is one,
 * so its scheduler keys are read too.
 */
export function hfRoot(sites: SiteBuilder, root: MappingValue): boolean {
  if (entryOf(root, "base_model") && (entryOf(root, "optimizer") || entryOf(root, "learning_rate"))) {
    hfSite(sites, root, "axolotl", "optimizer");
    return true;
  }
  if ((entryOf(root, "learning_rate") || entryOf(root, "optim")) && HF_KEYS.some((k) => entryOf(root, k)) && !OTHER_OPTIMIZER_KEYS.some((k) => entryOf(root, k))) {
    hfSite(sites, root, "transformers", "optim");
    return true;
  }
  return false;
}

/**
 * The optimizer an HF Trainer builds from TrainingArguments keys: `optim` (axolotl: `optimizer`) names it,
 * `learning_rate`, `weight_decay`, `adam_beta1`/`adam_beta2` and `adam_epsilon` set it; the Trainer keeps biases
 * and norm weights out of weight decay.
 */
export function hfSite(sites: SiteBuilder, mapping: MappingValue, dialect: "transformers" | "axolotl", nameKey: string): void {
  const nameEntry = entryOf(mapping, nameKey);
  // A local subclass may change the default `optim`: without it written, the optimizer is unknown.
  if (!nameEntry && mapping.value.kind === "mapping" && mapping.value.open) return;
  // A switch that swaps in another optimizer (set to anything but a known false) leaves the optimizer unknown.
  if (TRAINER_OPTIMIZER_SWITCHES.some((key) => mayBeOn(entryOf(mapping, key)))) return;
  const deepspeed = entryOf(mapping, "deepspeed");
  if (deepSpeedMayBuild(deepspeed)) {
    if (deepspeed && isMapping(deepspeed.value) && !deepspeed.value.value.open) deepSpeedTrainerSite(sites, mapping, deepspeed);
    return;
  }
  const written = writtenName(nameEntry, HF_DEFAULT);
  const info = written !== undefined ? optimizerByName(configName(HF_NAMES, written)?.canonical ?? "") : undefined;
  if (!info) return;
  const adam = info.family === "adam";
  const extra: ArgumentFact[] = [];
  const beta1 = entryOf(mapping, "adam_beta1");
  const beta2 = entryOf(mapping, "adam_beta2");
  if (adam && beta1 && beta2) {
    // Two keys, one argument: a swap fix exchanges the two values where each is written.
    const span = cover(beta1.span, beta2.span);
    extra.push({ name: "betas", value: { value: { kind: "sequence", items: [beta1.value, beta2.value] }, span, dependsOn: [] }, span, how: "keyword" });
  }
  sites.add({
    dialect,
    info,
    whole: mapping.span,
    nameSpan: nameEntry ? nameEntry.value.span : mapping.span,
    args: mapping,
    params: { kind: "managed", span: mapping.span, by: "the HF Trainer", excludesBiasAndNorm: true },
    // `optim_args` passes more arguments in a string.
    open: entryOf(mapping, "optim_args") !== undefined,
    table: HF_NAMES,
    ...(nameEntry ? { written } : {}),
    keyFor: (a) => HF_KEY[a] ?? a,
    labelFor: (a) => (a === "betas" ? "(adam_beta1, adam_beta2)" : (HF_KEY[a] ?? a)),
    reads: (a) => a === "lr" || a === "weight_decay" || (adam && a === "eps"),
    extra,
  });
}

/**
 * timm `create_optimizer_v2(model, opt='adamw', lr=..., weight_decay=..., momentum=...)`: `opt` defaults to `sgd`
 * (Nesterov), momentum to 0.9, and biases and norm weights are kept out of decay unless `filter_bias_and_bn=False`.
 */
export function timmSite(sites: SiteBuilder, mapping: MappingValue): void {
  const nameEntry = entryOf(mapping, "opt");
  const written = writtenName(nameEntry, "sgd");
  const name = written !== undefined ? configName(TIMM_NAMES, written) : undefined;
  const info = name ? optimizerByName(name.canonical) : undefined;
  if (!info || !name) return;
  const filter = entryOf(mapping, "filter_bias_and_bn");
  const params: ParamsFact =
    filter && asBool(filter.value) !== true ? { kind: "other", span: mapping.span } : { kind: "managed", span: mapping.span, by: "timm", excludesBiasAndNorm: true };
  sites.add({
    dialect: "timm",
    info,
    whole: mapping.span,
    nameSpan: nameEntry ? nameEntry.value.span : mapping.span,
    args: mapping,
    params,
    open: false,
    table: TIMM_NAMES,
    written: written!,
    ...(name.implied ? { implied: name.implied } : {}),
    // timm hands `momentum` only to the optimizers that take one, and `eps`/`betas` to the rest.
    reads: (a) => a !== "nesterov",
  });
}

/**
 * Whether the Trainer's `deepspeed` setting may hand the optimizer to DeepSpeed. A DeepSpeed config with an
 * `optimizer` section makes the Trainer give DeepSpeed the trainable parameters (all of them: no bias and norm
 * exclusion), and DeepSpeed builds that section's optimizer; `optim` is then not used. Only a config written in place
 * can be seen: a path names a file whose sections are not read here, so it may hold one. Unset (absent, null, false,
 * an empty string) or a written config without an `optimizer` section leaves the Trainer's own optimizer.
 */
function deepSpeedMayBuild(entry: MappingEntry | undefined): boolean {
  if (!entry) return false;
  const value = entry.value.value;
  if (value.kind === "none" || (value.kind === "bool" && !value.value) || (value.kind === "string" && value.value === "")) return false;
  if (value.kind === "mapping") return value.open === true || value.entries.some((e) => e.key === "optimizer");
  return true;
}

/**
 * Why a DeepSpeed-built optimizer under the HF Trainer decays biases and norms: the Trainer hands it the trainable
 * parameters as one flat list and never calls `create_optimizer` (its no-decay groups, or an override's), and
 * DeepSpeed applies the section's weight_decay to all of them. Dropping the section lets the Trainer build its own
 * optimizer (under ZeRO offload DeepSpeed then wants `zero_force_ds_cpu_optimizer: false`).
 */
const DEEPSPEED_HANDOVER = {
  why: "the HF Trainer hands DeepSpeed's optimizer section all trainable parameters in one group and skips its own no-decay groups",
  remedy: "drop that section so the Trainer builds the optimizer (under ZeRO offload also set zero_force_ds_cpu_optimizer to false), or set weight_decay to 0",
};

/**
 * Keys that choose which parameters train: a peft or LoRA adapter (axolotl's `adapter`, LLaMA-Factory's
 * `finetuning_type`, `use_peft`, `lora_r`), or frozen and tuned parts (`freeze_vision_tower`, `tune_mm_mlp_adapter`).
 */
const PARTIAL_TRAINING_KEY = /lora|peft|adapter|freeze|trainable|finetuning_type|^tune_|_only$/i;

/**
 * Whether the arguments may train only part of the model (an adapter's matrices, an unfrozen projector), or hold keys
 * not seen (a `**` spread): the parameters the Trainer hands DeepSpeed may then hold no bias or norm weight. A key
 * set off (false, null, `finetuning_type: full`) trains the whole model.
 */
function trainsPart(mapping: MappingValue): boolean {
  const value = mapping.value;
  if (value.kind !== "mapping" || value.open) return true;
  return value.entries.some((e) => PARTIAL_TRAINING_KEY.test(e.key) && mayBeOn(e) && !(e.value.value.kind === "string" && e.value.value.value === "full"));
}

/** DeepSpeed `optimizer.params` keys the HF Trainer fills when they are "auto", with the TrainingArguments keys it fills them from. */
const DEEPSPEED_AUTO: Record<string, readonly string[]> = { lr: ["learning_rate"], betas: ["adam_beta1", "adam_beta2"], eps: ["adam_epsilon"], weight_decay: ["weight_decay"] };

/**
 * The optimizer DeepSpeed builds for an HF Trainer whose `deepspeed` config (written in place, or read from its JSON
 * file by the project pass) has an `optimizer` section: its `type` names it (DeepSpeed's Adam runs in AdamW mode
 * unless `adam_w_mode` is false), and every trainable parameter is handed over (no bias and norm exclusion: a managed
 * set that decays all of them). A param
 * written "auto" is filled by the Trainer from the TrainingArguments key it matches; that value is judged, and fixed
 * where the arguments write it. Every other argument, a literal in the DeepSpeed config or a default, is unknown here:
 * the config's own lint judges its literals, and a fix cannot reach them from the arguments. A config that sets
 * `adam_w_mode` to anything but true is left unjudged.
 */
function deepSpeedTrainerSite(sites: SiteBuilder, mapping: MappingValue, deepspeed: MappingEntry): void {
  const config = deepspeed.value as MappingValue;
  const optimizer = mappingAt(config, "optimizer");
  const written = optimizer && stringAt(optimizer, "type");
  const info = written !== undefined ? optimizerByName(configName(DEEPSPEED_NAMES, written)?.canonical ?? "") : undefined;
  if (!optimizer || !info) return;
  const params = mappingAt(optimizer, "params");
  const mode = params && entryOf(params, "adam_w_mode");
  if (mode && asBool(mode.value) !== true) return;
  const unknown = (name: string): ArgumentFact => ({ name, value: { value: { kind: "unknown" }, span: deepspeed.span, dependsOn: [] }, span: deepspeed.span, how: "keyword" });
  const extra: ArgumentFact[] = [];
  for (const name of info.signature) {
    if (name === "params") continue;
    const keys = DEEPSPEED_AUTO[name];
    const auto = params !== undefined && stringAt(params, name) === "auto";
    const filled = auto && keys ? keys.map((k) => entryOf(mapping, k)) : [];
    if (!auto || !keys || filled.some((e) => e === undefined)) {
      extra.push(unknown(name));
      continue;
    }
    const [first] = filled as MappingEntry[];
    if (filled.length === 1) extra.push({ name, value: first.value, span: first.span, how: "keyword" });
    else {
      const span = cover(first.span, filled[1]!.span);
      extra.push({ name, value: { value: { kind: "sequence", items: filled.map((e) => e!.value) }, span, dependsOn: [] }, span, how: "keyword" });
    }
  }
  sites.add({
    dialect: "deepspeed",
    info,
    whole: mapping.span,
    nameSpan: deepspeed.value.span,
    args: mapping,
    params: trainsPart(mapping) ? { kind: "other", span: deepspeed.span } : { kind: "managed", span: deepspeed.span, by: "DeepSpeed", excludesBiasAndNorm: false, ...DEEPSPEED_HANDOVER },
    open: false,
    table: DEEPSPEED_NAMES,
    written,
    // The name is written in the DeepSpeed config, not in these arguments: no rename from here.
    nameFor: () => undefined,
    keyFor: (a) => HF_KEY[a] ?? a,
    labelFor: (a) => (a === "betas" ? "(adam_beta1, adam_beta2)" : (HF_KEY[a] ?? a)),
    reads: () => false,
    extra,
  });
}

/** The optimizer name an entry writes: its string, the framework's default when absent, undefined when not a known string. */
function writtenName(entry: MappingEntry | undefined, fallback: string): string | undefined {
  if (!entry) return fallback;
  return entry.value.value.kind === "string" ? entry.value.value.value : undefined;
}

/** The smallest span covering two spans of one file. */
function cover(a: Span, b: Span): Span {
  return { ...a, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
