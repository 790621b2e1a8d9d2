// Bundles the console's page: src/main.ts (and uPlot) → ../wwwroot/app.js, src/style.css (and uPlot's) → ../wwwroot/app.css,
// src/index.html copied. Minified and deterministic (no hashes, no dates), so a rebuild from the same sources and the same
// locked packages gives the same bytes: tests/Cascade.Console.Tests checks the committed bundle that way.
// Usage: node build.mjs [--out DIR]   (default ../wwwroot)
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--out");
const out = resolve(flag > 0 ? process.argv[flag + 1] : join(here, "..", "wwwroot"));
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, legalComments: "none", logLevel: "warning", absWorkingDir: here };
await esbuild.build({ ...common, entryPoints: [join(here, "src", "main.ts")], outfile: join(out, "app.js"), format: "esm", target: ["es2022"] });
await esbuild.build({ ...common, entryPoints: [join(here, "src", "style.css")], outfile: join(out, "app.css") });
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
console.log(`built ${out}`);
