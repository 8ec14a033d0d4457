#!/usr/bin/env node
// Validates recorded request/response bodies against an OpenAPI 3.0 description,
// for the operations Prism silently does not validate (its AJV cannot compile
// `nullable` without `type`, nor an enum with duplicates; see
// ../shared/api-specs/ENDPOINTS.md, "Prism blind spots").
//
// The schemas are repaired the way OpenAPI 3.0 means them before compiling:
//   {nullable: true, <no type>, ...rest}  ->  {anyOf: [{type: "null"}, {...rest}]}
//   enum with duplicates                  ->  the same enum without them
//   {nullable: true, enum: [...]}         ->  null joins the enum (AJV needs it listed)
//   an empty oneOf/anyOf/allOf            ->  dropped (it constrains nothing it can express)
//
// Usage: node validate_bodies.cjs SPEC.json CASES.json
//   CASES: [{"name", "method", "path" (as in the spec), "status" (response) or
//            "request": true, "body"}]
// Prints one line per case ("ok NAME" or "violation NAME: ...") and exits 1 when
// any case violates the description, 2 when a case names no schema.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

function repair(node) {
  if (Array.isArray(node)) return node.map(repair);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = repair(v);
  if (Array.isArray(out.enum)) out.enum = [...new Set(out.enum)];
  for (const k of ['oneOf', 'anyOf', 'allOf']) if (Array.isArray(out[k]) && out[k].length === 0) delete out[k];
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum.push(null);
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

function schemaFor(spec, c) {
  const item = spec.paths[c.path];
  const op = item && item[c.method.toLowerCase()];
  if (!op) return [null, `no operation ${c.method} ${c.path} in the description`];
  let target;
  if (c.request) {
    target = op.requestBody;
  } else {
    target = op.responses[String(c.status)] || op.responses.default;
    if (target && target.$ref) target = spec.components.responses[target.$ref.split('/').pop()];
  }
  if (!target) return [null, `${c.method} ${c.path} declares no ${c.request ? 'request body' : 'response ' + c.status}`];
  const content = target.content || {};
  const media = content['application/json'] || Object.values(content)[0];
  if (!media || !media.schema) return [null, `${c.method} ${c.path} has no JSON schema for ${c.request ? 'its request' : c.status}`];
  return [media.schema, null];
}

const [specPath, casesPath] = process.argv.slice(2);
if (!specPath || !casesPath) {
  console.error('usage: validate_bodies.cjs SPEC.json CASES.json');
  process.exit(2);
}
const spec = repair(JSON.parse(fs.readFileSync(specPath, 'utf8')));
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
let worst = 0;
for (const c of cases) {
  const [schema, problem] = schemaFor(spec, c);
  if (!schema) {
    console.log(`unknown ${c.name}: ${problem}`);
    worst = Math.max(worst, 2);
    continue;
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  let validate;
  try {
    validate = ajv.compile({ ...schema, components: spec.components });
  } catch (e) {
    console.log(`unknown ${c.name}: the schema does not compile even after repair: ${e.message.slice(0, 300)}`);
    worst = Math.max(worst, 2);
    continue;
  }
  if (validate(c.body)) {
    console.log(`ok ${c.name}`);
  } else {
    const errs = validate.errors.slice(0, 8).map(e => `${e.instancePath || '(root)'} ${e.message}`).join('; ');
    console.log(`violation ${c.name}: ${errs}`);
    worst = Math.max(worst, 1);
  }
}
process.exit(worst);
