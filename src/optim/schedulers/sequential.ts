/** SequentialLR: hands the optimizer from one scheduler to the next at milestone epochs. */
import { ValueError } from "../errors.js";
import { checkOptionNames } from "../options.js";
import { bisectRight } from "./decay.js";
import type { LRScheduler } from "./base.js";
import type { SchedulableOptimizer, Scheduler, SchedulerState } from "./types.js";

export interface SequentialLROptions {
  /** Schedulers on the same optimizer, constructed in order before this one. */
  schedulers: LRScheduler[];
  /** Epochs at which the next scheduler takes over; one fewer than the schedulers. */
  milestones: number[];
  last_epoch?: number;
}

/**
 * Runs `schedulers[i]` between milestones i-1 and i. Construction restores the initial lrs and replays
 * only the first scheduler's initial step; at a milestone the incoming scheduler is stepped with
 * `step(0)`, i.e. its closed form at epoch 0 when it has one, so it restarts from the base lrs.
 */
export class SequentialLR implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  schedulers: LRScheduler[];
  milestones: number[];
  lastEpoch: number;
  protected lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    checkOptionNames("SequentialLR", options, ["schedulers", "milestones", "last_epoch", "verbose"], ["schedulers", "milestones"]);
    const { schedulers, milestones } = options;
    if (schedulers.length === 0) throw new ValueError("SequentialLR needs at least one scheduler");
    schedulers.forEach((scheduler, i) => {
      if (scheduler.optimizer !== optimizer) {
        throw new ValueError(`SequentialLR: scheduler ${i} belongs to a different optimizer`);
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `SequentialLR needs one milestone fewer than schedulers, got ${schedulers.length} schedulers and ${milestones.length} milestones`,
      );
    }
    this.optimizer = optimizer;
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = (options.last_epoch ?? -1) + 1;
    optimizer.paramGroups.forEach((group, i) => {
      if (group.initial_lr === undefined) throw new ValueError(`param group ${i} has no initial_lr`);
      group.lr = group.initial_lr;
    });
    for (const scheduler of schedulers) scheduler.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const index = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** This scheduler's fields plus the state of every wrapped scheduler. */
  stateDict(): SchedulerState {
    return {
      milestones: [...this.milestones],
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()),
    };
  }

  loadStateDict(state: SchedulerState): void {
    if (Array.isArray(state.milestones)) this.milestones = [...(state.milestones as number[])];
    if (typeof state.lastEpoch === "number") this.lastEpoch = state.lastEpoch;
    if (Array.isArray(state.lastLr)) this.lastLr = [...(state.lastLr as number[])];
    if (Array.isArray(state.schedulers)) {
      (state.schedulers as SchedulerState[]).forEach((child, i) => this.schedulers[i]?.loadStateDict(child));
    }
  }
}
