import { readFileSync } from "node:fs";
import { test } from "vitest";
import { analyzePython } from "../../src/python/analyze.js";

test("dump", () => {
  for (const f of (process.env.DUMP ?? "").split(",").filter(Boolean)) {
    const text = readFileSync(`fixtures/python/${f}`, "utf8");
    const a = analyzePython(text);
    const s = (sp: { start: number; end: number } | undefined) => (sp ? JSON.stringify(a.text.slice(sp.start, sp.end)) : "-");
    console.log("=== " + f, "errors:", a.syntaxErrors.map((e) => e.message + " @" + s(e.span)));
    for (const site of a.facts.optimizers) {
      const line = a.text.slice(0, site.span.start).split("\n").length;
      const lines = [`#${site.id} L${line} ${site.canonical} name=${s(site.nameSpan)} spread=${site.hasUnresolvedSpread} params=${site.params.kind}${site.params.kind === "groups" ? " nodecay=" + site.params.hasNoDecayGroup : ""}${site.params.kind === "whole-model" ? " model=" + site.params.model : ""}`];
      for (const arg of site.args.values()) {
        const v = arg.value.value;
        const val = v.kind === "number" || v.kind === "bool" || v.kind === "string" ? String(v.value) : v.kind === "sequence" ? "[" + v.items.map((i) => JSON.stringify(i.value)).join(",") + "]" : v.kind;
        lines.push(`   ${arg.name}=${val} how=${arg.how} span=${s(arg.span)} origin=${arg.value.origin?.description ?? "-"}@${s(arg.value.origin?.span)} lit=${s(arg.value.literalSpan)} deps=${arg.value.dependsOn.join("|")}`);
      }
      console.log(lines.join("\n"));
    }
    const d = a.facts.distributed;
    for (const e of d.evidence) console.log("  ev", e.kind, s(e.span));
    for (const e of d.batchScaledByWorldSize) console.log("  batch", s(e));
    for (const e of d.lrScaledByWorldSize) console.log("  lr", s(e));
  }
});
