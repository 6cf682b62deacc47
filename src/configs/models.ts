/**
 * What a config tree says about the model it trains and its precision: an HF TrainingArguments, axolotl or GPT-NeoX
 * config trains a transformer; an mmengine/mmcv `model.backbone.type` names the network; HF `fp16`/`bf16` and
 * DeepSpeed `fp16.enabled`/`bf16.enabled` choose mixed precision (fp32 master weights) or bfloat16.
 */
import type { ModelKindFact, OptimizerSite, PrecisionFact, Span } from "../core/facts.js";
import { asBool } from "../core/facts.js";
import { FREEZING_MODEL_TYPE, kindOfModelName, libraryModelKind } from "../knowledge/models.js";
import { lastSegment } from "../knowledge/dotted.js";
import { entryOf, mappings, mappingAt, stringAt, type MappingValue } from "./recognize.js";

/** Dialects whose configs train transformers, with the words for it. */
const TRANSFORMER_DIALECTS: Record<string, string> = {
  transformers: "the HF Trainer trains a transformers model",
  axolotl: "axolotl fine-tunes a transformer language model",
  "gpt-neox": "GPT-NeoX trains a transformer language model",
};

/**
 * Model kinds and precision settings a config tree states, tied to the sites recognized in it, and where its `model`
 * freezes what it wraps (a LoRA wrapper's `type`).
 */
export function configModelFacts(root: MappingValue, sites: OptimizerSite[]): { kinds: ModelKindFact[]; precision: PrecisionFact[]; freezes: Span[] } {
  const kinds: ModelKindFact[] = [];
  const precision: PrecisionFact[] = [];
  for (const site of sites) {
    const words = site.dialect ? TRANSFORMER_DIALECTS[site.dialect] : undefined;
    if (words) kinds.push({ kind: "transformer", span: site.nameSpan, description: words, sites: [site.id] });
  }
  const ids = sites.map((s) => s.id);
  const mm = sites.filter((s) => s.dialect === "mmengine").map((s) => s.id);
  const model = mappingAt(root, "model");
  const backbone = model && (mappingAt(model, "backbone") ?? model);
  const type = backbone && stringAt(backbone, "type");
  const kind = type ? kindOfModelName(type) : undefined;
  if (backbone && type && kind && mm.length > 0) {
    kinds.push({ kind, span: entryOf(backbone, "type")!.value.span, description: `the config builds a ${type} ${kind === "cnn" ? "CNN" : "transformer"}`, sites: mm });
  }
  // Hydra `model: {_target_: torchvision.models.resnet50}`, Lightning `model: {class_path: ...}`.
  const built = model && (entryOf(model, "_target_") ?? entryOf(model, "class_path"));
  const path = built?.value.value.kind === "string" ? built.value.value.value : undefined;
  const targeted = sites.filter((s) => s.dialect === "hydra" || s.dialect === "lightning").map((s) => s.id);
  if (model && built && path && targeted.length > 0) {
    const library = libraryModelKind(path);
    const name = library === "by-name" ? (stringAt(model, "model_name") ?? stringAt(model, "name")) : undefined;
    const cls = lastSegment(path.replace(/\.(from_pretrained|from_config)$/, ""));
    const found = library === "by-name" ? (name ? kindOfModelName(name) : undefined) : (library ?? kindOfModelName(cls));
    if (found) kinds.push({ kind: found, span: built.value.span, description: `the config builds ${name ?? cls}, ${found === "cnn" ? "a CNN" : found === "transformer" ? "a transformer" : `a ${found} network`}`, sites: targeted });
  }
  const hf = sites.some((s) => s.dialect === "transformers" || s.dialect === "axolotl");
  if (hf) {
    for (const [key, kindOf] of [["fp16", "master-weights"], ["bf16", "bf16"]] as const) {
      const entry = entryOf(root, key);
      if (entry && asBool(entry.value) === true) {
        precision.push({ kind: kindOf, span: entry.span, description: kindOf === "bf16" ? "the Trainer runs in bfloat16" : "the Trainer runs fp16 mixed precision, which keeps fp32 master weights", sites: ids });
      }
    }
  }
  for (const [key, kindOf] of [["fp16", "master-weights"], ["bf16", "bf16"]] as const) {
    const block = mappingAt(root, key);
    const enabled = block && entryOf(block, "enabled");
    // DeepSpeed's "auto" and a missing `enabled` leave it to other settings: only a literal true counts.
    if (block && enabled && asBool(enabled.value) === true) {
      precision.push({ kind: kindOf, span: block.span, description: kindOf === "bf16" ? "DeepSpeed runs in bfloat16" : "DeepSpeed's fp16 mode keeps fp32 master weights", sites: ids });
    }
  }
  const freezes: Span[] = [];
  for (const { mapping } of model ? mappings(model) : []) {
    const wrapper = stringAt(mapping, "type");
    if (wrapper && FREEZING_MODEL_TYPE.test(wrapper)) freezes.push(entryOf(mapping, "type")!.value.span);
  }
  return { kinds, precision, freezes };
}
