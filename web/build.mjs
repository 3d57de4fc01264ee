// Builds what /console/ and /docs serve into chalicelib/web/static/ (shipped in the API Lambda's zip):
//   console/: index.html, main-<hash>.js (our sources + Preact + htm, bundled and minified by esbuild), a chunk
//             for the Reports screen with Chart.js (loaded when it is opened), console-<hash>.css
//   docs/:    index.html, swagger-ui-<hash>.js and .css (swagger-ui-dist as published), docs-<hash>.js (its start)
// Content-hashed names let the server mark every asset immutable; only the two index.html files are revalidated.
// Nothing here is fetched at run time: no CDN, no font or image from elsewhere.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "chalicelib", "web", "static");
const sizes = [];

function hashed(name, content) {
  const digest = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}-${digest}${name.slice(dot)}`;
}

function emit(section, name, content) {
  mkdirSync(join(out, section), { recursive: true });
  writeFileSync(join(out, section, name), content);
  sizes.push([`${section}/${name}`, Buffer.byteLength(content), gzipSync(content, { level: 9 }).length]);
  return name;
}

function emitHashed(section, name, content) {
  return emit(section, hashed(name, content), content);
}

function page(template, names) {
  let html = readFileSync(join(here, template), "utf8");
  for (const [key, value] of Object.entries(names)) html = html.replaceAll(`{{${key}}}`, value);
  if (html.includes("{{")) throw new Error(`${template}: a placeholder was left unfilled`);
  return html;
}

// The console: one entry module, and a chunk per screen loaded on demand (Reports brings Chart.js only when opened).
async function bundleSplit(entry, section) {
  const result = await build({
    entryPoints: [join(here, entry)], bundle: true, minify: true, format: "esm", target: "es2020", splitting: true,
    outdir: join(out, section), entryNames: "[name]-[hash]", chunkNames: "chunk-[hash]", write: false,
    legalComments: "none", logLevel: "warning",
  });
  let main = null;
  for (const file of result.outputFiles) {
    const name = file.path.slice(join(out, section).length + 1);
    emit(section, name, file.contents);
    if (name.startsWith(basename(entry, ".js") + "-") && name.endsWith(".js")) main = name;
  }
  if (!main) throw new Error(`${entry}: esbuild wrote no entry module`);
  return main;
}

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, entry)], bundle: true, minify: true, format: "esm", target: "es2020",
    write: false, legalComments: "none", logLevel: "warning",
  });
  return result.outputFiles[0].contents;
}

rmSync(out, { recursive: true, force: true });

const app = await bundleSplit("console/main.js", "console");
const css = emitHashed("console", "console.css", readFileSync(join(here, "console", "console.css")));
emit("console", "index.html", page("console/index.html", { "app.js": app, "console.css": css }));

const swagger = join(here, "node_modules", "swagger-ui-dist");
const swaggerJs = emitHashed("docs", "swagger-ui.js", readFileSync(join(swagger, "swagger-ui-bundle.js")));
const swaggerCss = emitHashed("docs", "swagger-ui.css", readFileSync(join(swagger, "swagger-ui.css")));
const docsJs = emitHashed("docs", "docs.js", await bundle("docs/docs.js"));
const docsCss = emitHashed("docs", "docs.css", readFileSync(join(here, "docs", "docs.css")));
emit("docs", "index.html", page("docs/index.html", {
  "swagger-ui.js": swaggerJs, "swagger-ui.css": swaggerCss, "docs.js": docsJs, "docs.css": docsCss,
}));

let raw = 0, zipped = 0;
for (const [name, size, gz] of sizes) {
  raw += size; zipped += gz;
  console.log(`${name.padEnd(44)} ${(size / 1024).toFixed(1).padStart(8)} KiB ${(gz / 1024).toFixed(1).padStart(7)} KiB gzip`);
}
console.log(`${"total".padEnd(44)} ${(raw / 1024).toFixed(1).padStart(8)} KiB ${(zipped / 1024).toFixed(1).padStart(7)} KiB gzip`);
writeFileSync(join(out, ".built"), "");
