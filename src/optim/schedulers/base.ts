/**
 * The scheduler base with torch's `_LRScheduler` protocol: construction records `initial_lr` and takes
 * one step (to epoch 0); `step()` advances one epoch with the recursive ("chainable") form `getLr()`,
 * which reads the groups' current lr; `step(epoch)` jumps with the closed form where a scheduler has one.
 */
import { ValueError } from "../errors.js";
import type { SchedulableOptimizer, Scheduler, SchedulerState } from "./types.js";

export abstract class LRScheduler implements Scheduler {
  readonly optimizer: SchedulableOptimizer;
  /** The `initial_lr` of every group: what closed forms and lambdas scale. */
  baseLrs: number[] = [];
  lastEpoch = -1;
  /** Number of `step()` calls since the last initial step (torch's `_step_count`). */
  stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: SchedulableOptimizer) {
    this.optimizer = optimizer;
  }

  /** The lr of every group one epoch after the current lrs (torch's chainable `get_lr`). */
  protected abstract getLr(): number[];

  /** The lr of every group at `lastEpoch` from the base lrs alone; undefined when there is none. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** Finishes construction once the subclass has its settings: torch's `_LRScheduler.__init__` tail. */
  protected start(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const group of groups) if (group.initial_lr === undefined) group.initial_lr = group.lr;
    } else {
      groups.forEach((group, i) => {
        if (group.initial_lr === undefined) {
          throw new ValueError(`resuming with last_epoch=${lastEpoch} needs initial_lr in param group ${i}`);
        }
      });
    }
    this.baseLrs = groups.map((group) => group.initial_lr as number);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** Resets the step count and steps once (torch's `_initial_step`; SequentialLR calls it too). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch; with `epoch`, jumps there using the closed form when there is one (deprecated in torch). */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    const groups = this.optimizer.paramGroups;
    values.forEach((lr, i) => {
      if (i < groups.length) groups[i].lr = lr;
    });
    this.lastLr = groups.map((group) => group.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Own fields that are not part of the saved state (the optimizer, functions). */
  protected unsavedKeys(): string[] {
    return ["optimizer"];
  }

  /** Every own field except the optimizer, deep-copied (torch saves `__dict__` the same way). */
  stateDict(): SchedulerState {
    const skip = new Set(this.unsavedKeys());
    const state: SchedulerState = {};
    for (const [key, value] of Object.entries(this)) {
      if (!skip.has(key)) state[key] = structuredClone(value);
    }
    return state;
  }

  loadStateDict(state: SchedulerState): void {
    const skip = new Set(this.unsavedKeys());
    for (const [key, value] of Object.entries(state)) {
      if (!skip.has(key)) (this as unknown as Record<string, unknown>)[key] = structuredClone(value);
    }
  }
}

/** The value of a numeric option stored in a param group, or an error naming what is missing. */
export function groupNumber(group: Record<string, unknown>, key: string, index: number): number {
  const value = group[key];
  if (typeof value !== "number") throw new ValueError(`param group ${index} has no numeric '${key}'`);
  return value;
}

/** A per-group value: a list must have one entry per group, a single value applies to all. */
export function perGroup<T>(name: string, value: T | readonly T[], groupCount: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== groupCount) {
      throw new ValueError(`expected ${groupCount} values for ${name}, got ${value.length}`);
    }
    return [...value];
  }
  return new Array<T>(groupCount).fill(value as T);
}
