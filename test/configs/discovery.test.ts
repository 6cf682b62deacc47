/** Which YAML and JSON files a folder walk lints: configs yes; workflows, manifests and huge data files unread. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { CONFIG_WALK_SIZE_LIMIT, configMayMatter } from "../../src/configs/file-adapter.js";

function project(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-configs-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const ADAM = "_target_: torch.optim.Adam\nlr: 1e-3\nweight_decay: 0.01\n";
/** A large annotation file that happens to mention an optimizer key. */
const HUGE = `{"images": [${'{"id": 1, "file_name": "a.jpg", "optimizer": 1},'.repeat(Math.ceil(CONFIG_WALK_SIZE_LIMIT / 45))} {}]}`;

describe("config discovery", () => {
  it("lints configs found by walking, and skips files that cannot be configs without a result", async () => {
    const dir = project({
      "conf/optimizer/adam.yaml": ADAM,
      "conf/ds_config.json": '{"opt": {"_target_": "torch.optim.Adam", "weight_decay": 0.1}}',
      ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n",
      "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
      "package.json": '{"name": "x", "type": "module", "scripts": {"test": "vitest"}}',
      "tsconfig.json": '{\n  // strict\n  "compilerOptions": {"strict": true},\n}\n',
      "data/annotations.json": HUGE,
      "train.py": "import torch\n",
    });
    const results = await lintPaths(["."], { cwd: dir });
    expect(results.map((r) => [path.relative(dir, r.filePath), r.messages.map((m) => m.code)])).toEqual([
      ["conf/ds_config.json", ["OPT001"]],
      ["conf/optimizer/adam.yaml", ["OPT001"]],
      ["train.py", []],
    ]);
  });

  it("always reads a config named on the command line, large or not", async () => {
    const dir = project({ "annotations.json": HUGE, "ci.yml": "on: push\n" });
    const results = await lintPaths(["annotations.json", "ci.yml"], { cwd: dir });
    expect(results.map((r) => [path.basename(r.filePath), r.messages.length])).toEqual([
      ["annotations.json", 0],
      ["ci.yml", 0],
    ]);
  });

  it("reports undecodable and broken config files and goes on with the others", async () => {
    const dir = project({
      "a_binary.yaml": Buffer.from([0x6f, 0x70, 0x74, 0x69, 0x6d, 0x00, 0xff]),
      "b_latin1.yaml": Buffer.from("optimizer: caf\xe9\n", "latin1"),
      "c_broken.json": '{"optimizer": {"_target_": "torch.optim.Adam",}',
      "d_good.yaml": ADAM,
    });
    const results = await lintPaths(["."], { cwd: dir });
    expect(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => `${m.fatal ? "fatal " : ""}${m.code ?? m.message}`)])).toEqual([
      ["a_binary.yaml", ["fatal Cannot lint a binary file (it contains NUL bytes)"]],
      ["b_latin1.yaml", ["fatal Cannot decode the file as UTF-8 (invalid byte sequence at byte 14)"]],
      ["c_broken.json", ["fatal Parsing error: a closing } was expected (invalid JSON)"]],
      ["d_good.yaml", ["OPT001"]],
    ]);
  });

  it("prefilters on optimizer-ish words", () => {
    expect(configMayMatter("optimizer: adamw_torch\n")).toBe(true);
    expect(configMayMatter('{"train_micro_batch_size_per_gpu": 8, "lr": 3}')).toBe(true);
    expect(configMayMatter("model:\n  class_path: x.Y\n")).toBe(true);
    expect(configMayMatter("_target_: lion_pytorch.Lion\n")).toBe(true);
    expect(configMayMatter('{"name": "x", "version": "1.0.0"}')).toBe(false);
    expect(configMayMatter("services:\n  db:\n    image: postgres\n")).toBe(false);
  });
});
