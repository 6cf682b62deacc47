import { test } from "vitest";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { Simulator } from "../../src/simulate/runner.js";
import { simulateMessage } from "../../src/simulate/simulate.js";
test("scratch", async () => {
  let t = Date.now();
  const results = await lintPaths(["fixtures/showcase"], {});
  console.log("lint ms", Date.now() - t);
  const sim = new Simulator();
  for (const r of results) for (const m of r.messages) { t = Date.now(); const s = simulateMessage(sim, r.filePath, m); if (s) console.log(m.ruleId, Date.now() - t, s.comparisons.map(c => c.problem.name)); }
});
