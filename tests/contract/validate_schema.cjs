#!/usr/bin/env node
// Validates bodies against a plain JSON Schema (draft-07) with AJV: for the
// bodies the official descriptions do not model, e.g. LaunchDarkly's semantic
// patches (tests/fakes/launchdarkly/semantic-patch.schema.json, docs/contracts.md).
//
// Usage: node validate_schema.cjs SCHEMA.json CASES.json
//   CASES: [{"name", "body"}]
// Prints one line per case ("ok NAME" or "violation NAME: ...") and exits 1 when
// any case violates the schema, 2 when the schema does not compile or no case is given.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');

const [schemaPath, casesPath] = process.argv.slice(2);
if (!schemaPath || !casesPath) {
  console.error('usage: validate_schema.cjs SCHEMA.json CASES.json');
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
if (!Array.isArray(cases) || cases.length === 0) {
  console.log('no cases: nothing was validated');
  process.exit(2);
}
let validate;
try {
  const ajv = new Ajv({ strict: false, allErrors: true });
  validate = ajv.compile(schema);
} catch (e) {
  console.log(`the schema does not compile: ${e.message.slice(0, 300)}`);
  process.exit(2);
}
let worst = 0;
for (const c of cases) {
  if (validate(c.body)) {
    console.log(`ok ${c.name}`);
  } else {
    console.log(`violation ${c.name}: ${JSON.stringify(validate.errors).slice(0, 600)}`);
    worst = Math.max(worst, 1);
  }
}
process.exit(worst);
