// Writes the TypeScript types of an OpenAPI document with openapi-typescript's API (default options,
// as a client generating from /docs-json would): node test/client/generate-schema.cjs <document.json> <out.d.ts>
// A separate process because openapi-typescript's dependencies are ES modules, which Jest's module
// system does not load.
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { default: openapiTS, astToString } = require('openapi-typescript');

async function main() {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: generate-schema.cjs <document.json> <out.d.ts>');
  const ast = await openapiTS(JSON.parse(readFileSync(input, 'utf8')));
  // Written aside and renamed, so a reader never sees half a file.
  const partial = `${output}.${process.pid}.tmp`;
  writeFileSync(
    partial,
    `// Generated from the running app's /docs-json by test/client/generate-schema.cjs; do not edit.\n${astToString(ast)}`,
  );
  renameSync(partial, output);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
