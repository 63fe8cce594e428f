#!/usr/bin/env node
// Checks the stand-in gateway's --record file (one JSON line per request) for the e2e tests.
//
//   check-record.js RECORD FROM_LINE SPEC_JSON
//
// SPEC_JSON: {"path": regex the CLI's endpoint must match (at least one request),
//             "header": credential header that must carry the key ("authorization" | "x-api-key" |
//                       "x-goog-api-key"), "key": the virtual key,
//             "allow_extra_same_key": [header, …]  other credential headers allowed IF they carry the
//                       same key (Claude Code's apiKeyHelper sends both of its headers),
//             "forbid": [secret, …] strings that must appear in no header of any request,
//             "cli_headers": [[name, value regex], …] the CLI's own headers, on the endpoint requests,
//             "models": [id, …] the models the gateway serves: every request must name one of them and
//                       none may have been answered model_not_allowed / model_not_recognized,
//             "want_model": the model setup chose: at least one endpoint request must name it}
// Requests before line FROM_LINE (1-based) are ignored. Prints what it checked; exit 1 on a mismatch.
'use strict';
const fs = require('fs');

const [file, fromArg, specArg] = process.argv.slice(2);
const spec = JSON.parse(specArg);
const from = Number(fromArg || 1);
const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
const reqs = lines.slice(from - 1).map((l) => JSON.parse(l));
const problems = [];
const pathRe = new RegExp(spec.path);
const hits = reqs.filter((r) => pathRe.test(r.path));
const cred = (h, v) => (h === 'authorization' ? `Bearer ${v}` : v);

if (hits.length === 0)
  problems.push(`no request on ${spec.path}; paths seen: ${reqs.map((r) => `${r.method} ${r.target}`).join(', ') || 'none'}`);

for (const r of reqs) {
  const where = `${r.method} ${r.target}`;
  const ch = r.credential_headers || {};
  const names = Object.keys(ch);
  const allowed = new Set([spec.header, ...(spec.allow_extra_same_key || [])]);
  // A request outside the API (Claude Code's `HEAD /` reachability probe) may carry no key at all.
  const api = /^\/v1(beta)?\//.test(r.path);
  if ((api || names.length) && ch[spec.header] !== cred(spec.header, spec.key))
    problems.push(`${where}: ${spec.header} does not carry the virtual key (credential headers: ${names.join(', ') || 'none'})`);
  for (const n of names) {
    if (n === spec.header) continue;
    if (!allowed.has(n)) problems.push(`${where}: a second credential header ${n}`);
    else if (ch[n] !== cred(n, spec.key)) problems.push(`${where}: ${n} carries another value than the virtual key`);
  }
  for (const [name, value] of r.headers || [])
    for (const secret of spec.forbid || [])
      if (secret && (String(value).includes(secret) || String(name).includes(secret)))
        problems.push(`${where}: header ${name} contains a forbidden secret (the local token?)`);
}

const refusals = new Set(['model_not_allowed', 'model_not_recognized']);
for (const r of reqs) {
  const where = `${r.method} ${r.target}`;
  if (spec.models && r.model && !spec.models.includes(r.model))
    problems.push(`${where}: asks for ${r.model}, which the gateway does not serve (${spec.models.join(', ')})`);
  if (refusals.has(r.error)) problems.push(`${where}: answered ${r.status} ${r.error}`);
}
if (spec.want_model && !hits.some((r) => r.model === spec.want_model))
  problems.push(`no request on ${spec.path} asks for ${spec.want_model}, the model setup chose; asked for: ` +
                `${[...new Set(hits.map((r) => r.model))].join(', ') || 'none'}`);

for (const r of hits) {
  const lower = new Map((r.headers || []).map(([n, v]) => [n.toLowerCase(), String(v)]));
  for (const [name, re] of spec.cli_headers || []) {
    const want = new RegExp(re);
    const names = [...lower.keys()].filter((n) => new RegExp(`^${name}$`, 'i').test(n));
    if (!names.some((n) => want.test(lower.get(n))))
      problems.push(`${r.method} ${r.target}: the CLI's header ${name} ~ /${re}/ is missing or altered`);
  }
}

const seen = [...new Set(reqs.map((r) => `${r.method} ${r.path}${r.model && !r.path.includes(r.model) ? ` (${r.model})` : ''} ` +
  `[${Object.keys(r.credential_headers || {}).join('+') || 'no key'}]${r.status >= 400 ? ` ${r.status} ${r.error || ''}` : ''}`))];
console.log(`record: ${reqs.length} request(s) from the CLI: ${seen.join(', ')}; expected the key in ${spec.header}; ` +
            `CLI headers checked: ${(spec.cli_headers || []).map((h) => h[0]).join(', ')}`);
if (problems.length) {
  for (const p of [...new Set(problems)]) console.log(`record: FAIL ${p}`);
  process.exit(1);
}
