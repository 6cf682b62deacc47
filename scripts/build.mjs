// `npm run build`: the TypeScript compile (dist/src, dist/rules: the library entry points and the
// modules tests and benches load) and the CLI bundle (dist/cli/optim-lint.mjs: what bin/optim-lint.js
// runs). The bundle holds our code and the pure-JS dependencies in one file, so start-up reads one module
// instead of about a hundred; tree-sitter and its Python grammar stay external (native addons). What the
// CLI loads with `import()` only for some runs (`simulate` and the optimizer core, `diff`) is in the
// file but evaluated only when imported; V8 compiles functions on first call, so it costs a pre-parse.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });

/**
 * Loads tree-sitter and its grammar with `require` rather than `import`: they are CommonJS, and Node's
 * ES-module loader runs a CommonJS module through an export scanner first, which cost about as much
 * again as the load itself. Imports of them become a one-line CommonJS module calling `require`.
 */
const NATIVE = /^tree-sitter(-python)?$/;
const requireNative = {
  name: "require-native",
  setup(build) {
    build.onResolve({ filter: NATIVE }, (args) =>
      args.namespace === "native" ? { path: args.path, external: true } : { path: args.path, namespace: "native" },
    );
    build.onLoad({ filter: /.*/, namespace: "native" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

// Chunk names carry a content hash: the old ones go, so the folder holds exactly what the bundle imports.
rmSync(join(ROOT, "dist/cli"), { recursive: true, force: true });

await build({
  absWorkingDir: ROOT,
  // The CLI, and the worker threads it lints large runs on (src/cli/parallel.ts): a bundle of its own, so a worker
  // evaluates only the linter.
  entryPoints: { "optim-lint": "src/cli/main.ts", "lint-worker": "src/cli/lint-worker.ts" },
  outdir: "dist/cli",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  // ESM builds first: jsonc-parser's UMD main requires its modules dynamically, which a bundle cannot follow.
  mainFields: ["module", "main"],
  format: "esm",
  target: "node20",
  plugins: [requireNative],
  // The CommonJS dependencies bundled in (ignore, picomatch, ...) call `require` for Node built-ins;
  // an ES module has none, so give the bundle one.
  banner: { js: 'import { createRequire as __optimLintCreateRequire } from "node:module";\nconst require = __optimLintCreateRequire(import.meta.url);' },
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
});
