/** The runner and the rule scenarios: determinism, and what each problem shows, checked on the real optimizer core. */
import { describe, expect, it } from "vitest";
import type { OptimizerConfig } from "../../src/core/types.js";
import { problemById } from "../../src/simulate/problems.js";
import { Simulator, runConfig, shrinkageAgainst } from "../../src/simulate/runner.js";
import { ASSUMED_WORKERS, DEFAULT_PROBLEMS, scenarioFor } from "../../src/simulate/scenarios.js";
import { simulateChange } from "../../src/simulate/simulate.js";
import { formatText } from "../../src/simulate/report.js";

const sgd = (options: OptimizerConfig["options"]): OptimizerConfig => ({ optimizer: "SGD", options });
const adam = (options: OptimizerConfig["options"], optimizer = "Adam"): OptimizerConfig => ({ optimizer, options });

/** Shrinkage of a tracked quantity by label. */
function shrinkageOf(summary: { shrinkage?: { label: string; value: number }[] }, label: string): number {
  const entry = summary.shrinkage?.find((q) => q.label === label);
  if (!entry) throw new Error(`no shrinkage for ${label}`);
  return entry.value;
}

describe("runConfig", () => {
  it("is deterministic: the same settings give identical numbers and curves", () => {
    const config = adam({ lr: 3e-3 });
    const first = runConfig(problemById("mlp"), config);
    const second = runConfig(problemById("mlp"), config);
    expect(second.summary).toEqual(first.summary);
    expect(second.curve).toEqual(first.curve);
    const noisyFirst = runConfig(problemById("noisy-quadratic"), sgd({ lr: 0.1 }));
    expect(runConfig(problemById("noisy-quadratic"), sgd({ lr: 0.1 })).curve).toEqual(noisyFirst.curve);
  });

  it("records the start, the evaluated steps and the last step", () => {
    const problem = problemById("mlp");
    const run = runConfig(problem, adam({ lr: 1e-3 }));
    expect(run.curve[0].step).toBe(0);
    expect(run.curve.at(-1)!.step).toBe(problem.steps);
    expect(run.curve).toHaveLength(problem.steps / problem.evalEvery + 1);
    expect(run.summary.finalLoss).toBe(run.curve.at(-1)!.loss);
    expect(run.summary.bestLoss).toBe(Math.min(...run.curve.map((p) => p.loss)));
  });

  it("flags divergence and stops the run", () => {
    const run = runConfig(problemById("ill-conditioned-quadratic"), sgd({ lr: 2 }));
    expect(run.summary.diverged).toBe(true);
    expect(run.summary.stepsToTarget).toBeNull();
    expect(run.curve.at(-1)!.step).toBeLessThan(problemById("ill-conditioned-quadratic").steps);
  });

  it("reports settings the optimizer core refuses instead of running them", () => {
    const run = runConfig(problemById("ill-conditioned-quadratic"), adam({ lr: -1 }));
    expect(run.summary.rejected).toMatch(/Invalid learning rate/);
    expect(run.summary.finalLoss).toBeNull();
    expect(run.summary.diverged).toBe(false);
  });

  it("hands gradients to split groups in the groups' order (without decay, both layouts agree exactly)", () => {
    for (const id of ["mlp", "scaled-regression"] as const) {
      const config = adam({ lr: 1e-3, weight_decay: 0 }, "AdamW");
      expect(runConfig(problemById(id), config, "split-decay").curve).toEqual(runConfig(problemById(id), config).curve);
    }
  });

  it("shrinkage is 1 − |decayed| / |reference|", () => {
    expect(shrinkageAgainst([{ label: "w", value: -0.75 }], [{ label: "w", value: 1 }])[0].value).toBeCloseTo(0.25, 12);
  });
});

describe("what the problems show", () => {
  it("ill-conditioned quadratic: Nesterov reaches the target in fewer steps than plain momentum at the same lr", () => {
    const problem = problemById("ill-conditioned-quadratic");
    for (const lr of [0.05, 0.1, 0.2]) {
      const heavyBall = runConfig(problem, sgd({ lr, momentum: 0.9 })).summary.stepsToTarget;
      const nesterov = runConfig(problem, sgd({ lr, momentum: 0.9, nesterov: true })).summary.stepsToTarget;
      expect(heavyBall).not.toBeNull();
      expect(nesterov).not.toBeNull();
      expect(nesterov!).toBeLessThan(heavyBall!);
    }
  });

  it("mlp: Adam with lr=0.1 ends worse than with lr=1e-3 and never reaches the target", () => {
    const problem = problemById("mlp");
    const large = runConfig(problem, adam({ lr: 0.1 })).summary;
    const usual = runConfig(problem, adam({ lr: 1e-3 })).summary;
    expect(large.finalLoss!).toBeGreaterThan(2 * usual.finalLoss!);
    expect(large.stepsToTarget).toBeNull();
    expect(usual.stepsToTarget).not.toBeNull();
  });

  it("scaled regression: coupled L2 shrinks the small-scale weight far more than the large-scale one; decoupled decay much less unevenly", () => {
    const simulator = new Simulator();
    const problem = problemById("scaled-regression");
    const plan = (config: OptimizerConfig) => ({ config, layout: "single-group" as const });
    const { before, after } = simulator.compare(problem, plan(adam({ lr: 1e-3, weight_decay: 0.01 })), plan(adam({ lr: 1e-3, weight_decay: 0.01 }, "AdamW")), true);
    const small = "w (feature scale 0.1)";
    const large = "w (feature scale 10)";
    expect(shrinkageOf(before.summary, small)).toBeGreaterThan(0.2);
    expect(shrinkageOf(before.summary, large)).toBeLessThan(1e-3);
    expect(shrinkageOf(after.summary, small)).toBeLessThan(shrinkageOf(before.summary, small) / 5);
    expect(shrinkageOf(after.summary, large)).toBeGreaterThan(5 * shrinkageOf(before.summary, large));
    expect(before.summary.weightNorm).toBeLessThan(after.summary.weightNorm!);
  });

  it("mlp: coupled decay under Adam costs loss that AdamW's decay does not", () => {
    const simulator = new Simulator();
    const plan = (config: OptimizerConfig) => ({ config, layout: "single-group" as const });
    const { before, after } = simulator.compare(problemById("mlp"), plan(adam({ lr: 1e-3, weight_decay: 0.01 })), plan(adam({ lr: 1e-3, weight_decay: 0.01 }, "AdamW")), true);
    expect(before.summary.finalLoss!).toBeGreaterThan(after.summary.finalLoss!);
    expect(shrinkageOf(before.summary, "‖W1‖")).toBeGreaterThan(10 * Math.abs(shrinkageOf(after.summary, "‖W1‖")));
  });

  it("mlp: with biases in an undecayed group, AdamW's decay shrinks every bias less than when it decays them", () => {
    const settings = adam({ lr: 1e-3, weight_decay: 0.1 }, "AdamW");
    const run = simulateChange(new Simulator(), "weight-decay-on-bias-norm", { before: settings, after: settings });
    const mlpRun = run.comparisons.find((c) => c.problem.id === "mlp")!;
    for (const bias of ["‖b1‖", "‖b2‖", "‖b3‖"]) {
      expect(Math.abs(shrinkageOf(mlpRun.after.summary, bias)), bias).toBeLessThan(shrinkageOf(mlpRun.before.summary, bias));
    }
  });

  it("OPT005: before and after differ where it shows (decay on a norm gain and a bias costs loss), and say which parameters decay", () => {
    // The rule's bad example: AdamW(lr=1e-3, weight_decay=0.05) over model.parameters(). The settings are the same on both sides.
    const settings = adam({ lr: 1e-3, weight_decay: 0.05 }, "AdamW");
    const run = simulateChange(new Simulator(), "OPT005", { before: settings, after: settings });
    expect(run.labels?.before).not.toBe(run.labels?.after);
    const normalized = run.comparisons.find((c) => c.problem.id === "normalized-regression")!;
    const [before, after] = [normalized.before.summary, normalized.after.summary];
    // Decay on the gain and the bias pulls the output toward zero for the whole run: a higher loss, reached later.
    expect(before.finalLoss!).toBeGreaterThan(1.05 * after.finalLoss!);
    expect(before.stepsToTarget!).toBeGreaterThan(after.stepsToTarget!);
    expect(shrinkageOf(before, "norm gain")).toBeGreaterThan(0.02);
    expect(Math.abs(shrinkageOf(after, "norm gain"))).toBeLessThan(0.01);
    expect(Math.abs(shrinkageOf(after, "bias"))).toBeLessThan(0.01);
    // The normalized weights keep their decay on both sides: their shrinkage barely moves.
    expect(Math.abs(shrinkageOf(before, "‖w‖") - shrinkageOf(after, "‖w‖"))).toBeLessThan(0.01);
    const text = formatText([{ filePath: "t.py", ruleId: "weight-decay-on-bias-norm", code: "OPT005", line: 3, column: 1, message: "", before: settings, after: settings, notes: run.notes, labels: run.labels, comparisons: run.comparisons }]);
    const [beforeLine, afterLine] = text.split("\n").filter((l) => /^ {2}(before|after) /.test(l));
    expect(beforeLine.replace(/^ {2}before/, "")).not.toBe(afterLine.replace(/^ {2}after /, ""));
    expect(afterLine).toContain("biases and norm gains at weight_decay=0");
  });

  it("swapped betas: worse on the quadratic and the MLP than the usual order", () => {
    const run = simulateChange(new Simulator(), "invalid-hyperparameter", { before: adam({ lr: 1e-3, betas: [0.999, 0.9] }), after: adam({ lr: 1e-3, betas: [0.9, 0.999] }) });
    expect(run.comparisons.map((c) => c.problem.id)).toEqual(["ill-conditioned-quadratic", "mlp"]);
    for (const { before, after } of run.comparisons) expect(before.summary.finalLoss!).toBeGreaterThan(after.summary.finalLoss!);
  });

  it("noisy quadratic: at a single worker's batch Adam lr=0.1 settles far above lr=1e-3", () => {
    const run = simulateChange(new Simulator(), "lr-out-of-range", { before: adam({ lr: 0.1 }), after: adam({ lr: 1e-3 }) });
    const quadratic = run.comparisons[0];
    expect(quadratic.problem.id).toBe("noisy-quadratic");
    expect(quadratic.before.summary.finalLoss!).toBeGreaterThan(10 * quadratic.after.summary.finalLoss!);
  });

  it("noisy quadratic: with 8× the batch, the linearly scaled lr reaches the target and the unscaled one does not", () => {
    const config = sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
    const run = simulateChange(new Simulator(), "unscaled-distributed-lr", { before: config, after: config });
    expect(run.shown.after.options.lr).toBeCloseTo(0.1 * ASSUMED_WORKERS, 12);
    expect(run.notes.join(" ")).toContain(`${ASSUMED_WORKERS} are assumed`);
    const [{ problem, before, after }] = run.comparisons;
    expect(problem.name).toBe(`noisy-quadratic (global batch ${ASSUMED_WORKERS}×)`);
    expect(before.summary.stepsToTarget).toBeNull();
    expect(after.summary.stepsToTarget).not.toBeNull();
    expect(after.summary.finalLoss!).toBeLessThan(before.summary.finalLoss!);
  });

  it("noisy quadratic: linear scaling has a limit — 32 workers with plain SGD at lr 0.1 × 32 diverge", () => {
    const run = simulateChange(new Simulator(), "unscaled-distributed-lr", { before: sgd({ lr: 0.1 }), after: sgd({ lr: 3.2 }) });
    expect(run.notes.join(" ")).not.toContain("assumed");
    expect(run.comparisons[0].problem.name).toContain("32×");
    expect(run.comparisons[0].after.summary.diverged).toBe(true);
  });
});

describe("scenarios", () => {
  const change = { before: sgd({ lr: 0.1, momentum: 0.9, weight_decay: 1e-4 }), after: sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 1e-4 }) };

  it("maps rules, by name or code, to their problems", () => {
    const ids = (rule: string | null) => scenarioFor(rule, change).problems.map((p) => p.id);
    expect(ids("adam-weight-decay")).toEqual(["scaled-regression", "mlp"]);
    expect(ids("OPT001")).toEqual(["scaled-regression", "mlp"]);
    expect(ids("weight-decay-on-bias-norm")).toEqual(["normalized-regression", "mlp"]);
    expect(ids("sgd-missing-nesterov")).toEqual(["ill-conditioned-quadratic", "rosenbrock"]);
    expect(ids("opt002")).toEqual(["ill-conditioned-quadratic", "rosenbrock"]);
    expect(ids("lr-out-of-range")).toEqual(["noisy-quadratic", "mlp"]);
    expect(ids("unscaled-distributed-lr")).toEqual(["noisy-quadratic"]);
    expect(ids("invalid-hyperparameter")).toEqual(["ill-conditioned-quadratic", "mlp"]);
    expect(ids("some-future-rule")).toEqual(DEFAULT_PROBLEMS);
    expect(ids(null)).toEqual(DEFAULT_PROBLEMS);
  });

  it("decay rules keep the decay and report shrinkage; others leave decay out on both sides and say so", () => {
    const decay = scenarioFor("adam-weight-decay", change);
    expect(decay.decayReport).toBe(true);
    expect(decay.before.config.options.weight_decay).toBe(1e-4);
    const nesterov = scenarioFor("sgd-missing-nesterov", change);
    expect(nesterov.decayReport).toBe(false);
    expect(nesterov.before.config.options.weight_decay).toBe(0);
    expect(nesterov.after.config.options.weight_decay).toBe(0);
    expect(nesterov.after.config.options.nesterov).toBe(true);
    expect(nesterov.notes.join(" ")).toMatch(/decay is left out/);
  });

  it("the bias/norm decay rule runs the after side with undecayed biases", () => {
    const scenario = scenarioFor("weight-decay-on-bias-norm", { before: adam({ lr: 1e-3, weight_decay: 0.1 }, "AdamW"), after: adam({ lr: 1e-3, weight_decay: 0.1 }, "AdamW") });
    expect(scenario.before.layout).toBe("single-group");
    expect(scenario.after.layout).toBe("split-decay");
  });
});
