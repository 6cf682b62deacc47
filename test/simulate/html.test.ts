/** The HTML report: self-contained, and rendered by headless Chromium with its curves and numbers. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FileResult, LintMessage } from "../../src/core/results.js";
import { codeExcerpt, escapeHtml, renderHtml } from "../../src/simulate/html.js";
import { formatLoss } from "../../src/simulate/report.js";
import { simulateResults } from "../../src/simulate/simulate.js";

const CHROMIUM = "/usr/bin/chromium";

const SOURCE = [
  "import torch",
  "",
  "model = build()",
  "# momentum without Nesterov <here>",
  "optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
  "for batch in loader:",
  "    step(batch)",
].join("\n");

/** A lint message with a settings change. */
function finding(ruleId: string, line: number, change: NonNullable<LintMessage["settingsChange"]>): LintMessage {
  return { ruleId, severity: 1, message: `${ruleId} finding`, line, column: 13, settingsChange: change };
}

const RESULT: FileResult = {
  filePath: "train.py",
  messages: [
    finding("sgd-missing-nesterov", 5, { before: { optimizer: "SGD", options: { lr: 0.1, momentum: 0.9 } }, after: { optimizer: "SGD", options: { lr: 0.1, momentum: 0.9, nesterov: true } } }),
    finding("sgd-missing-nesterov", 5, { before: { optimizer: "SGD", options: { lr: 3, momentum: 0.9 } }, after: { optimizer: "SGD", options: { lr: -3, momentum: 0.9 } } }),
  ],
  suppressedMessages: [], errorCount: 0, fatalErrorCount: 0, warningCount: 2, infoCount: 0, fixableErrorCount: 0, fixableWarningCount: 0,
  source: SOURCE, usedDeprecatedRules: [],
};

const simulations = simulateResults([RESULT], () => undefined);
const html = renderHtml(simulations);
const workDir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-html-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Runs headless Chromium on a page with the given extra flags. */
function chromium(page: string, flags: string[]): { stdout: string; status: number | null } {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the HTML report test renders the page in headless Chromium; install the chromium package (CI does).`);
  }
  const profile = mkdtempSync(path.join(workDir, "profile-"));
  const result = spawnSync(
    CHROMIUM,
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, ...flags, `file://${page}`],
    { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return { stdout: result.stdout ?? "", status: result.status };
}

describe("HTML page", () => {
  it("is self-contained: no scripts, stylesheets, images or fonts from elsewhere", () => {
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const addresses = html.match(/https?:\/\/[^"'\s<)]*/g) ?? [];
    expect(new Set(addresses)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
  });

  it("has a chart per problem with both curves, a log axis, the target and a legend", () => {
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html.match(/class="curve before"/g)).toHaveLength(4);
    expect(html).toContain("loss (log scale)");
    expect(html).toContain(">target</text>");
    expect(html).toContain("before (diverged)");
    expect(html).toContain("after (rejected)");
    expect(html).toContain('class="diverged"');
  });

  it("escapes text and marks the finding's line in the code excerpt", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    const excerpt = codeExcerpt(SOURCE, 5, 1);
    expect(excerpt).toContain('<span class="line hit"><span class="ln">5</span> optimizer = torch.optim.SGD');
    expect(excerpt).toContain("&lt;here&gt;");
    expect(excerpt).not.toContain("import torch");
  });

  it("renders in headless Chromium: the DOM holds the SVG paths, numbers and code", () => {
    const page = path.join(workDir, "report.html");
    writeFileSync(page, html);
    const { stdout, status } = chromium(page, ["--dump-dom"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/<path class="curve before" d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){10,}"/);
    expect(stdout).toMatch(/<path class="curve after" d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){10,}"/);
    const quadratic = simulations[0].comparisons[0];
    expect(stdout).toContain(`<td>${formatLoss(quadratic.before.summary.finalLoss)}</td>`);
    expect(stdout).toContain(`<td>${quadratic.after.summary.stepsToTarget}</td>`);
    expect(stdout).toContain("optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)");
    expect(stdout).toContain("Invalid learning rate");
  }, 120_000);

  it("renders to a non-empty PNG screenshot", () => {
    const page = path.join(workDir, "report.html");
    writeFileSync(page, html);
    const shot = path.join(workDir, "report.png");
    chromium(page, [`--screenshot=${shot}`, "--window-size=1200,1600"]);
    expect(existsSync(shot)).toBe(true);
    const png = readFileSync(shot);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(20_000);
  }, 120_000);
});
