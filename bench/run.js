// `npm run bench`: the linter on the Python standard library (without and with --cache), the optimizer core
// against PyTorch, then the language server's latency on one large file.
import { runLintBench } from "./lint.js";

import { runCacheBench } from "./cache.js";

const results = { lint: await runLintBench(), cache: await runCacheBench() };
results.projectPass = await (await import("./project-pass.js")).runProjectPassBench();
try {
  const { runOptimBench } = await import("./optim.js");
  results.optim = await runOptimBench();
} catch (error) {
  console.error(`optimizer bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
}
try {
  const { runEditorBench } = await import("./editor.js");
  results.editor = await runEditorBench();
} catch (error) {
  console.error(`editor bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
}
if (process.env.BENCH_JSON) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}
