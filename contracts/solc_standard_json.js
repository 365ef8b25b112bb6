// Compile a standard-JSON input file with the pinned solc and write the output file.
// Usage: node contracts/solc_standard_json.js <input.json> <output.json>
// (solcjs's own CLI can cut large outputs short when stdout is a pipe, hence a file.)
"use strict";
const fs = require("fs");
const solc = require("solc");

const [inputPath, outputPath] = process.argv.slice(2);
if (!inputPath || !outputPath) {
  console.error("usage: solc_standard_json.js <input.json> <output.json>");
  process.exit(2);
}
const output = solc.compile(fs.readFileSync(inputPath, "utf8"));
fs.writeFileSync(outputPath, output);
