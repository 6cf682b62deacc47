/** Cosine annealing without restarts (torch's CosineAnnealingLR), in its recursive form. */
import { LRScheduler } from "./base.js";
import { checkOptionNames } from "../options.js";
import type { SchedulableOptimizer } from "./types.js";

export interface CosineAnnealingLROptions {
  T_max: number;
  eta_min?: number;
  last_epoch?: number;
}

/** Anneals the lr from the base lr to `eta_min` along half a cosine over `T_max` epochs; past `T_max` it climbs back. */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    checkOptionNames("CosineAnnealingLR", options, ["T_max", "eta_min", "last_epoch", "verbose"], ["T_max"]);
    this.tMax = options.T_max;
    this.etaMin = options.eta_min ?? 0;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    const { lastEpoch: epoch, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (epoch === 0) return groups.map((group) => group.lr);
    if (this.stepCount === 1 && epoch > 0) {
      // First step after resuming: nothing to recurse from, so start from the base lrs.
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((epoch * Math.PI) / tMax))) / 2);
    }
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) {
      // At an odd multiple of T_max the ratio below would divide by zero; torch adds the first rise instead.
      return groups.map(
        (group, i) => group.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    const ratio = (1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax));
    return groups.map((group) => ratio * (group.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const cosine = 1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax);
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * cosine) / 2);
  }
}
