// Builds the base bundle and every island into qualitas/static/dist/.
import * as esbuild from "esbuild";
import { readdirSync, existsSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";

const out = "../qualitas/static/dist";
mkdirSync(out, { recursive: true });

const entryPoints = { base: "src/base.js", "base-style": "src/styles/base.css" };
const islands = "src/islands";
if (existsSync(islands)) {
  for (const name of readdirSync(islands)) {
    const entry = join(islands, name, "index.js");
    if (existsSync(entry)) entryPoints[`islands/${name}`] = entry;
  }
}

const options = {
  entryPoints,
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  loader: { ".woff": "file", ".woff2": "file" },
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
