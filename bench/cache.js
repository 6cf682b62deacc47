// Cache benchmark: a whole-tree run of the CLI's lint session over the Python standard library, first with
// an empty cache (every file linted and stored), then again with the cache filled (every file read, hashed
// and served from the cache). One phase per process: `node bench/cache.js cold|warm <stdlib> <cache dir>`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stdlibDir } from "./lint.js";

async function phase(dir, cacheDir) {
  const { LintSession } = await import("../dist/src/cli/lint-paths.js");
  const session = new LintSession({ cwd: dir, cache: { location: cacheDir, version: "bench" } });
  const start = process.hrtime.bigint();
  const run = await session.lintPaths(["."]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const problems = run.results.reduce((sum, r) => sum + r.messages.length, 0);
  return { files: run.results.length, problems, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Cold then warm, in fresh processes, twice; reports the faster run of each. */
export async function runCacheBench() {
  const dir = stdlibDir();
  const runs = { cold: [], warm: [] };
  for (let round = 0; round < 2; round++) {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-bench-cache-"));
    try {
      for (const mode of ["cold", "warm"]) {
        const out = execFileSync(process.execPath, ["--expose-gc", new URL(import.meta.url).pathname, mode, dir, cacheDir], {
          encoding: "utf8",
          maxBuffer: 1 << 20,
          stdio: ["ignore", "pipe", "inherit"],
        });
        runs[mode].push(JSON.parse(out));
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  const best = (list) => list.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const cold = best(runs.cold);
  const warm = best(runs.warm);
  if (cold.problems !== warm.problems || cold.files !== warm.files) throw new Error("the cached run reported different results");
  const result = {
    files: cold.files,
    coldSeconds: Number(cold.seconds.toFixed(2)),
    cachedSeconds: Number(warm.seconds.toFixed(2)),
    speedup: Number((cold.seconds / warm.seconds).toFixed(1)),
    coldPeakRssMb: Math.round(cold.maxRssMb),
    cachedPeakRssMb: Math.round(warm.maxRssMb),
  };
  console.log("\n## Cache: whole-tree run of the standard library, empty cache vs filled cache");
  console.table(result);
  return result;
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2]) {
  process.stdout.write(JSON.stringify(await phase(process.argv[3], process.argv[4])));
}
