// `npm run build`: the TypeScript compile (dist/src, dist/rules: the library entry points and the
// modules tests and benches load) and the CLI (dist/cli), which bin/optim-lint.cjs runs:
//  - dist/cli/optim-lint.cjs: the entry, one CommonJS file with only argument parsing and dispatch, so `--help` and
//    `--version` load nothing else; `simulate`, `server`, `rules` (simulate.mjs, server.mjs, rules.mjs) and the
//    worker threads' script (lint-worker.mjs) are ES modules beside it sharing chunks, loaded when a run asks;
//  - dist/cli/lint-<hash>.cjs: the lint command in one CommonJS file, with its pure-JS dependencies, and
//    lint-<hash>.cjs.<runtime>.cache, V8's code cache for it taken after linting fixtures/showcase and a small project. Node 20 has
//    no compile cache for ES modules, so the entry compiles this file as a script with that cache
//    (src/cli/code-cache.ts): V8 neither parses it nor compiles again the functions linting needs.
// tree-sitter and its Python grammar stay external (native addons).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist/cli");
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

/**
 * The lint bundle's tree-sitter: the JavaScript of tree-sitter, of its Python grammar's binding and of node-gyp-build
 * (which finds an addon's binary) is bundled, so that it is code-cached with the rest instead of being found, read and
 * compiled at every start; only the addons' binaries, and the grammar's node-types.json, are loaded from the installed
 * packages, whose folders the bundle asks Node's resolver for. Each rewrite checks that it found the text it replaces:
 * an upgrade of either package that changes it fails the build instead of loading from the wrong folder.
 */
const PACKAGE_DIR = (name) => `require("node:path").dirname(require.resolve(${JSON.stringify(`${name}/package.json`)}))`;
const BUNDLED_NATIVE = [
  {
    file: /node_modules\/tree-sitter\/index\.js$/,
    rewrite: [[/const binding = typeof process\.versions\.bun === "string" \?[\s\S]*?require\('node-gyp-build'\)\(__dirname\);/, `const binding = require("node-gyp-build")(${PACKAGE_DIR("tree-sitter")});`]],
  },
  {
    file: /node_modules\/tree-sitter-python\/bindings\/node\/index\.js$/,
    rewrite: [
      [/const root = require\("path"\)\.join\(__dirname, "\.\.", "\.\."\);/, `const root = ${PACKAGE_DIR("tree-sitter-python")};`],
      [/module\.exports =\s*typeof process\.versions\.bun === "string"[\s\S]*?: require\("node-gyp-build"\)\(root\);/, 'module.exports = require("node-gyp-build")(root);'],
      [/require\("\.\.\/\.\.\/src\/node-types\.json"\)/, 'require(require("node:path").join(root, "src", "node-types.json"))'],
    ],
  },
];
const bundledNative = {
  name: "bundled-native",
  setup(build) {
    build.onLoad({ filter: /node_modules\/tree-sitter(-python\/bindings\/node)?\/index\.js$/ }, (args) => {
      const entry = BUNDLED_NATIVE.find((e) => e.file.test(args.path));
      if (!entry) return undefined;
      let contents = readFileSync(args.path, "utf8");
      for (const [pattern, replacement] of entry.rewrite) {
        if (!pattern.test(contents)) throw new Error(`${args.path} no longer has the text the build rewrites (${pattern})`);
        contents = contents.replace(pattern, replacement);
      }
      return { contents, loader: "js" };
    });
  },
};

/** Replaces a module of the sources by a text, for one bundle (`from`: the importer's path ends so, `file`: the import). */
function replaceModule(name, replacements) {
  return {
    name,
    setup(build) {
      for (const { from, file } of replacements) {
        build.onResolve({ filter: new RegExp(`^\\./${file.replace(/[.]/g, "\\.")}$`) }, (args) =>
          args.importer.endsWith(from) ? { path: `${from}:${file}`, namespace: name } : undefined,
        );
      }
      build.onLoad({ filter: /.*/, namespace: name }, (args) => ({
        contents: replacements.find((r) => `${r.from}:${r.file}` === args.path).contents,
        loader: "js",
        resolveDir: ROOT,
      }));
    },
  };
}

/**
 * Dependencies that only some runs use, evaluated on first use in the lint bundle: an ES import of a bundled
 * CommonJS package runs its module code when the bundle starts, a `require` inside a function runs it when called.
 * Each entry lists the names our sources import (esbuild fails on an import of a name not listed).
 */
const LAZY = {
  // YAML configs only.
  yaml: ["Composer", "Parser", "isAlias", "isMap", "isPair", "isScalar", "isSeq", "visit"],
  // JSON configs and notebooks only (its formatter fills tables of indentation strings when it loads).
  "jsonc-parser": ["createScanner", "parseTree", "printParseErrorCode", "visit"],
  // Configuration globs (exclude, per-file-ignores) only.
  picomatch: ["default"],
  // Walked folders with a .gitignore only.
  ignore: ["default"],
  // Content hashes: --cache, baselines, SARIF, and summaries asked for by hash.
  "node:crypto": ["createHash"],
  // Forced collections in runs of many files.
  "node:v8": ["setFlagsFromString"],
};
const lazyDependencies = {
  name: "lazy-dependencies",
  setup(build) {
    const names = Object.keys(LAZY).join("|");
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) =>
      args.namespace === "lazy" ? undefined : { path: args.path, namespace: "lazy" },
    );
    build.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => {
      const load = `let loaded;\nconst load = () => (loaded ??= require(${JSON.stringify(args.path)}));\n`;
      // Functions and classes alike: a class called with `new` through a function that returns the instance.
      const lines = LAZY[args.path].map((name) =>
        name === "default"
          ? `export default function (...args) { return (load().default ?? load())(...args); }`
          : `export function ${name}(...args) { return new.target ? new (load().${name})(...args) : load().${name}(...args); }`,
      );
      return { contents: load + lines.join("\n"), loader: "js", resolveDir: ROOT };
    });
  },
};

// The lint bundle is one function expression taking Node's module arguments and its own free variables.
const { bundleWrapper } = await import("../dist/src/cli/code-cache.js");
const { lintBundleGlobals } = await import("../dist/src/cli/lint-bundle.js");
const wrapper = bundleWrapper(Object.keys(lintBundleGlobals("/")));

// Chunk and bundle names carry a content hash: the old ones go, so the folder holds exactly what the CLI loads.
rmSync(OUT, { recursive: true, force: true });

// The lint bundle, as one CommonJS file.
const lint = await build({
  absWorkingDir: ROOT,
  entryPoints: { lint: "src/cli/lint-command.ts" },
  outdir: OUT,
  entryNames: "[name]-[hash]",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  // ESM builds first: jsonc-parser's UMD main requires its modules dynamically, which a bundle cannot follow.
  mainFields: ["module", "main"],
  format: "cjs",
  target: "node20",
  // A script has no `import.meta` and no `import()`: the launcher passes both (src/cli/lint-bundle.ts).
  define: { "import.meta.url": "__optimLintUrl" },
  supported: { "dynamic-import": false },
  // Resolved at run time, for the folders of the addons (see bundledNative).
  external: ["tree-sitter/package.json", "tree-sitter-python/package.json"],
  plugins: [
    bundledNative,
    lazyDependencies,
    replaceModule("launcher-import", [
      { from: "src/formatters/index.ts", file: "load-module.js", contents: "export const importModule = (url) => __optimLintImport(url);" },
    ]),
    // tree-sitter is still loaded on the first parse: its modules are required inside the function.
    replaceModule("bundled-tree-sitter", [
      { from: "src/python/parser.ts", file: "tree-sitter-load.js", contents: 'export function requireTreeSitter() { return { Parser: require("tree-sitter"), grammar: require("tree-sitter-python") }; }' },
    ]),
  ],
  banner: { js: wrapper.banner },
  footer: { js: wrapper.footer },
  // Names kept, so that stack traces of internal errors still read; the file is read at every start, so the spaces go.
  minifyWhitespace: true,
  minifySyntax: true,
  // Non-ASCII characters escaped (esbuild's default, checked below): the loader reads the file as Latin-1.
  charset: "ascii",
  metafile: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
});
const lintFile = Object.keys(lint.metafile.outputs).find((file) => file.endsWith(".cjs"));
const lintName = lintFile.slice(lintFile.lastIndexOf("/") + 1);
if (readFileSync(join(OUT, lintName)).some((byte) => byte >= 0x80)) throw new Error(`${lintName} is not ASCII, but the CLI reads it as Latin-1`);

// What the entry loads on demand, as ES modules sharing chunks: the subcommands, and the script of the worker threads
// large runs lint on (src/cli/parallel.ts), a bundle of its own so that a worker evaluates only the linter.
const SUBCOMMANDS = { simulate: "src/simulate/cli.ts", server: "src/server/index.ts", rules: "src/cli/rules-command.ts" };
await build({
  absWorkingDir: ROOT,
  entryPoints: { ...SUBCOMMANDS, "lint-worker": "src/cli/lint-worker.ts" },
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
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

// The entry, in one CommonJS file: every start reads it, and a start that loads no ES module never sets up Node's ES
// module loader (nor the fs/promises and stream modules it loads). Its imports of the subcommands and of the lint
// command become imports of the files built above (the import of the lint command is what runs from the sources).
const ENTRY_IMPORTS = new Map([
  ["src/cli/main.ts", new Map([["../simulate/cli.js", "./simulate.mjs"], ["../server/index.js", "./server.mjs"], ["./rules-command.js", "./rules.mjs"]])],
  ["src/cli/lint-bundle.ts", new Map([["./lint-command.js", "./lint-command.js"]])],
]);
await build({
  absWorkingDir: ROOT,
  entryPoints: { "optim-lint": "src/cli/main.ts" },
  outdir: OUT,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  mainFields: ["module", "main"],
  format: "cjs",
  target: "node20",
  // A CommonJS module has no `import.meta`: its URL comes from `__filename`.
  define: { __OPTIM_LINT_BUNDLE__: JSON.stringify(lintName), "import.meta.url": "__optimLintEntryUrl" },
  banner: { js: '"use strict";\nconst __optimLintEntryUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      name: "entry-imports",
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => {
          const importer = [...ENTRY_IMPORTS.keys()].find((file) => args.importer.endsWith(file));
          const target = importer && args.kind === "dynamic-import" ? ENTRY_IMPORTS.get(importer).get(args.path) : undefined;
          return target ? { path: target, external: true } : undefined;
        });
      },
    },
  ],
  metafile: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
}).then(({ metafile }) => {
  // Everything else the entry imports is in the file itself.
  const imports = metafile.outputs["dist/cli/optim-lint.cjs"].imports.filter((i) => !i.path.startsWith("node:"));
  const expected = [...ENTRY_IMPORTS.values()].flatMap((m) => [...m.values()]).sort();
  if (JSON.stringify(imports.map((i) => i.path).sort()) !== JSON.stringify(expected)) throw new Error(`unexpected imports of the CLI entry: ${JSON.stringify(imports)}`);
});

// The code cache, taken by a run of its own with no flags (V8 rejects a cache made under other flags), after linting
// the showcase (every adapter, joiner and fix) and a project whose optimizer a model method builds from the training
// script's arguments, as nanoGPT's does: a pre-commit run on such a project otherwise compiled the call-site join's
// functions from source (3.6M instructions of bytecode compilation, for 43 KB more cache).
const WARM_UP = ["fixtures/showcase", "fixtures/projects/method-call"].map((folder) => join(ROOT, folder));
if (WARM_UP.every((folder) => existsSync(folder))) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  execFileSync(process.execPath, [join(ROOT, "scripts/code-cache-warm-up.mjs"), join(OUT, lintName), ...WARM_UP], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
} else {
  console.warn(`build: ${WARM_UP.join(" or ")} is missing, so the CLI has no code cache (its first run writes one)`);
}
