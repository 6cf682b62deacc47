/** From lint results to simulations: every finding that carries a settings change is run before and after. */
import type { FileResult, LintMessage } from "../core/results.js";
import type { OptimizerConfig } from "../core/types.js";
import { Simulator, type ProblemComparison } from "./runner.js";
import { scenarioFor, type SettingsChange } from "./scenarios.js";

/** One simulated finding. */
export interface FindingSimulation {
  filePath: string;
  ruleId: string | null;
  code?: string;
  line: number;
  column: number;
  message: string;
  before: OptimizerConfig;
  after: OptimizerConfig;
  /** What the simulation assumed beyond the finding's settings. */
  notes: string[];
  /** Words after each side's settings when the settings alone look the same (which parameters decay). */
  labels?: { before: string; after: string };
  comparisons: ProblemComparison[];
  /** The file's text, for the code excerpt in the HTML report. */
  source?: string;
}

/** Runs a settings change on the problems of its rule. */
export function simulateChange(
  simulator: Simulator,
  ruleId: string | null,
  change: SettingsChange,
): { shown: SettingsChange; notes: string[]; labels?: { before: string; after: string }; comparisons: ProblemComparison[] } {
  const scenario = scenarioFor(ruleId, change);
  const comparisons = scenario.problems.map((problem) => simulator.compare(problem, scenario.before, scenario.after, scenario.decayReport));
  return { shown: scenario.shown ?? change, notes: scenario.notes, ...(scenario.labels ? { labels: scenario.labels } : {}), comparisons };
}

/** Simulates one lint message, or returns undefined when it carries no settings change. */
export function simulateMessage(simulator: Simulator, filePath: string, message: LintMessage, source?: string): FindingSimulation | undefined {
  const change = message.settingsChange;
  if (!change) return undefined;
  const run = simulateChange(simulator, message.ruleId, change);
  return {
    filePath,
    ruleId: message.ruleId,
    code: message.code,
    line: message.line,
    column: message.column,
    message: message.message,
    before: run.shown.before,
    after: run.shown.after,
    notes: run.notes,
    ...(run.labels ? { labels: run.labels } : {}),
    comparisons: run.comparisons,
    source,
  };
}

/** Simulates every finding with a settings change, in file and message order. */
export function simulateResults(results: readonly FileResult[], readSource: (filePath: string) => string | undefined): FindingSimulation[] {
  const simulator = new Simulator();
  const simulations: FindingSimulation[] = [];
  for (const result of results) {
    const withChange = result.messages.filter((m) => m.settingsChange);
    if (withChange.length === 0) continue;
    const source = result.source ?? readSource(result.filePath);
    for (const message of withChange) {
      const simulation = simulateMessage(simulator, result.filePath, message, source);
      if (simulation) simulations.push(simulation);
    }
  }
  return simulations;
}

/** A finding that has no settings change, so nothing to simulate. */
export interface UnsimulatedFinding {
  filePath: string;
  ruleId: string;
  line: number;
}

/** Rule findings without a settings change (file errors are left out). */
export function unsimulatedFindings(results: readonly FileResult[]): UnsimulatedFinding[] {
  return results.flatMap((result) =>
    result.messages.filter((m) => m.ruleId !== null && !m.settingsChange).map((m) => ({ filePath: result.filePath, ruleId: m.ruleId!, line: m.line })),
  );
}
