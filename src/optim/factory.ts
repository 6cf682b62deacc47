/** Builds an optimizer from its torch-style short name and keyword options, as the simulator needs. */
import { Adadelta } from "./adadelta.js";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { Adamax } from "./adamax.js";
import { AdamW } from "./adamw.js";
import { ValueError } from "./errors.js";
import { LAMB } from "./lamb.js";
import { LARS } from "./lars.js";
import { Lookahead } from "./lookahead.js";
import { NAdam } from "./nadam.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";
import { RAdam } from "./radam.js";
import { RMSprop } from "./rmsprop.js";
import { SGD } from "./sgd.js";

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
