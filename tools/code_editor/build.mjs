// Bundles src/editor.js and the CodeMirror packages it imports into ONE ES module, committed at
// app/ui/code_editor/editor.bundle.js (the app never fetches anything at run time).
// Rebuild: cd tools/code_editor && npm ci && npm run build
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const here = (path) => new URL(path, import.meta.url).pathname;
const outfile = here("../../app/ui/code_editor/editor.bundle.js");
const lock = JSON.parse(readFileSync(here("./package-lock.json")));

const result = await build({
  entryPoints: [here("./src/editor.js")],
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  legalComments: "none",
  metafile: true,
  write: false,
});

// The packages that ended up in the bundle, with their locked versions, for the banner.
const bundled = new Set();
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m && bytesInOutput > 0) bundled.add(m[1]);
}
const versions = [...bundled].sort().map((name) => `${name}@${lock.packages[`node_modules/${name}`].version}`);

const banner = `// Dropout Lab's code editor, built by tools/code_editor (npm ci && npm run build): do not edit.
// Bundled: ${versions.join(", ")}.
// CodeMirror and Lezer: MIT License, Copyright (C) 2018-2021 by Marijn Haverbeke
// <marijn@haverbeke.berlin> and others (https://codemirror.net/); style-mod, w3c-keyname, crelt
// and @marijn/find-cluster-break: MIT, by the same author.
`;
writeFileSync(outfile, banner + result.outputFiles[0].text);
console.log(`${outfile}: ${(banner.length + result.outputFiles[0].contents.length) / 1024 | 0} KiB`);
