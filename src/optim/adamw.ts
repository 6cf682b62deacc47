/** AdamW: Adam whose weight decay shrinks the parameters directly, default decay 1e-2 (torch `AdamW`). */
import { ADAM_DEFAULTS, Adam, type AdamOptions } from "./adam.js";
import type { ParamsInput } from "./optimizer.js";
import { checkOptionNames } from "./options.js";

export type AdamWOptions = Omit<AdamOptions, "decoupled_weight_decay">;

export const ADAMW_DEFAULTS: AdamWOptions = { ...ADAM_DEFAULTS, weight_decay: 1e-2 };

export class AdamW extends Adam {
  constructor(params: ParamsInput, options: Partial<AdamWOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(ADAMW_DEFAULTS));
    super(params, { ...ADAMW_DEFAULTS, ...options, decoupled_weight_decay: true });
  }
}
