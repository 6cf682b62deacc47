/** Builds an optimizer from its torch-style short name and keyword options, as the simulator needs. */
import { ADADELTA_DEFAULTS, Adadelta } from "./adadelta.js";
import { ADAGRAD_DEFAULTS, Adagrad } from "./adagrad.js";
import { ADAM_DEFAULTS, Adam } from "./adam.js";
import { ADAMAX_DEFAULTS, Adamax } from "./adamax.js";
import { ADAMW_DEFAULTS, AdamW } from "./adamw.js";
import { ValueError } from "./errors.js";
import { LAMB, LAMB_DEFAULTS } from "./lamb.js";
import { LARS, LARS_DEFAULTS } from "./lars.js";
import { LOOKAHEAD_DEFAULTS, Lookahead } from "./lookahead.js";
import { NADAM_DEFAULTS, NAdam } from "./nadam.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";
import { RADAM_DEFAULTS, RAdam } from "./radam.js";
import { RMSPROP_DEFAULTS, RMSprop } from "./rmsprop.js";
import { SGD, SGD_DEFAULTS } from "./sgd.js";

type Options = Record<string, unknown>;

/** Constructors by torch short name. */
const CONSTRUCTORS: Record<string, (params: ParamsInput, options: Options) => Optimizer> = {
  SGD: (params, options) => new SGD(params, options),
  Adam: (params, options) => new Adam(params, options),
  AdamW: (params, options) => new AdamW(params, options),
  RMSprop: (params, options) => new RMSprop(params, options),
  Adagrad: (params, options) => new Adagrad(params, options),
  Adamax: (params, options) => new Adamax(params, options),
  NAdam: (params, options) => new NAdam(params, options),
  RAdam: (params, options) => new RAdam(params, options),
  Adadelta: (params, options) => new Adadelta(params, options),
  LAMB: (params, options) => new LAMB(params, options),
  LARS: (params, options) => new LARS(params, options),
};

/**
 * The options each optimizer reads, by short name. Other keys are kept in the groups but change nothing
 * (torch would reject them), so a caller mapping another library's optimizer onto these can check first.
 */
export const OPTIMIZER_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  SGD: Object.keys(SGD_DEFAULTS),
  Adam: Object.keys(ADAM_DEFAULTS),
  AdamW: Object.keys(ADAMW_DEFAULTS).filter((name) => name !== "decoupled_weight_decay"),
  RMSprop: Object.keys(RMSPROP_DEFAULTS),
  Adagrad: Object.keys(ADAGRAD_DEFAULTS),
  Adamax: Object.keys(ADAMAX_DEFAULTS),
  NAdam: Object.keys(NADAM_DEFAULTS),
  RAdam: Object.keys(RADAM_DEFAULTS),
  Adadelta: Object.keys(ADADELTA_DEFAULTS),
  LAMB: Object.keys(LAMB_DEFAULTS),
  LARS: [...Object.keys(LARS_DEFAULTS), "shapes"],
  Lookahead: ["base", ...Object.keys(LOOKAHEAD_DEFAULTS).map((name) => `lookahead_${name}`)],
};

/** Every name `createOptimizer` accepts. */
export const OPTIMIZER_NAMES: readonly string[] = [...Object.keys(CONSTRUCTORS), "Lookahead"];

/** The canonical spelling of a short name, matched case-insensitively. */
function canonicalName(name: string): string | undefined {
  return OPTIMIZER_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
}

/**
 * A new optimizer by torch short name (`"Adam"`, `"SGD"`, `"LAMB"`, ...). `"Lookahead"` wraps the optimizer
 * named by `options.base`; its own settings are `lookahead_k` and `lookahead_alpha` (timm's group keys, so
 * they cannot collide with a base option such as RMSprop's `alpha`), every other option goes to the base.
 * `"lookahead_<name>"` is the same as `"Lookahead"` with `base: "<name>"`.
 */
export function createOptimizer(name: string, params: ParamsInput, options: Options = {}): Optimizer {
  const prefixed = /^lookahead_(.+)$/i.exec(name);
  if (prefixed) return createOptimizer("Lookahead", params, { ...options, base: prefixed[1] });
  const canonical = canonicalName(name);
  if (canonical === undefined) throw new ValueError(`Unknown optimizer: ${name} (known: ${OPTIMIZER_NAMES.join(", ")})`);
  if (canonical !== "Lookahead") return CONSTRUCTORS[canonical](params, options);
  const { base, lookahead_k: k, lookahead_alpha: alpha, ...baseOptions } = options;
  if (typeof base !== "string" || canonicalName(base) === "Lookahead") {
    throw new ValueError("Lookahead needs `base`: the short name of the optimizer it wraps");
  }
  return new Lookahead(createOptimizer(base, params, baseOptions), {
    ...(k === undefined ? {} : { k: k as number }),
    ...(alpha === undefined ? {} : { alpha: alpha as number }),
  });
}
