// The package as users get it: `npm pack`, installed from the tarball into a temporary project,
// used from an .mjs, a .cjs and a TypeScript file (checked with `tsc --noEmit`), and through its
// web entry with the .wasm imported as a module, as Cloudflare Workers do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkgDir, repoRoot } from './helpers.mjs';

const wasmDir = join(repoRoot, 'wasm');
let project;
let tarball;

const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });

before(() => {
  project = mkdtempSync(join(tmpdir(), 'nfehook-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
    cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  }));
  tarball = packed[0];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', '--loglevel=error', join(project, tarball.filename)]);
});

after(() => rmSync(project, { recursive: true, force: true }));

test('the tarball holds one .wasm, the entries, types, README and licenses, and nothing else', () => {
  const files = tarball.files.map((f) => f.path).sort();
  assert.deepEqual(files.filter((f) => f.endsWith('.wasm')), ['lib/nfehook_bg.wasm']);
  for (const needed of ['package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'lib/index.cjs', 'lib/index.mjs',
    'lib/web.mjs', 'lib/express.cjs', 'lib/fastify.mjs', 'types/index.d.ts', 'types/index.d.mts', 'types/express.d.ts']) {
    assert.ok(files.includes(needed), `${needed} missing from ${files}`);
  }
  assert.ok(files.every((f) => /^(lib|types)\/|^(package\.json|README\.md|LICENSE-MIT|LICENSE-APACHE)$/.test(f)), files.join(' '));
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'nfehook', 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'nfehook');
  assert.equal(manifest.engines.node, '>=18');
  assert.deepEqual(Object.keys(manifest.exports['.']).slice(-2), ['import', 'require']);
  assert.equal(manifest.dependencies, undefined, 'no runtime dependencies');
});

const usage = (load) => `
${load}
const secret = 'whsec_1234567890abcdef';
const body = JSON.stringify({ id: 'd1', event: 'nfe.cancelada', timestamp: new Date().toISOString(),
  data: { nfeChave: '35170608530528000184550000000154301000771569', status: 'cancelada' } });
const webhook = new Webhook(secret);
const event = webhook.verify(Buffer.from(body), { 'x-webhook-signature': sign(body, secret) });
let code;
try { webhook.verify(body, 'sha256=00'); } catch (error) { code = error instanceof WebhookVerificationError && error.code; }
console.log(JSON.stringify({ id: event.id, event: event.event, code, uf: parseChave(event.data.nfeChave).uf.sigla,
  express: typeof webhookMiddleware, fastify: typeof nfehookPlugin }));
`;
const EXPECTED = { id: 'd1', event: 'nfe.cancelada', code: 'malformed_signature', uf: 'SP', express: 'function', fastify: 'function' };

test('require() from a .cjs file', () => {
  writeFileSync(join(project, 'use.cjs'), usage(`
const { Webhook, WebhookVerificationError, sign, parseChave } = require('nfehook');
const { webhookMiddleware } = require('nfehook/express');
const nfehookPlugin = require('nfehook/fastify');`));
  assert.deepEqual(JSON.parse(run('node', ['use.cjs'])), EXPECTED);
});

test('import from an .mjs file, sharing one instance with require()', () => {
  writeFileSync(join(project, 'use.mjs'), usage(`
import { Webhook, WebhookVerificationError, sign, parseChave } from 'nfehook';
import webhookMiddleware from 'nfehook/express';
import { nfehookPlugin } from 'nfehook/fastify';
import { createRequire } from 'node:module';
const required = createRequire(import.meta.url)('nfehook');
if (required.Webhook !== Webhook) throw new Error('import and require load two copies');`));
  assert.deepEqual(JSON.parse(run('node', ['use.mjs'])), EXPECTED);
});

test('a TypeScript file type-checks with tsc --noEmit (strict, NodeNext)', () => {
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: [], lib: ['ES2022'] },
    files: ['use.mts', 'use.cts'],
  }));
  const source = (imports) => `${imports}
const webhook = new Webhook(['whsec_new', 'whsec_old'], { toleranceSeconds: 600 });
declare const rawBody: Uint8Array;
declare const headers: Record<string, string | string[] | undefined>;
export function handle(): string {
  const event: WebhookEvent = webhook.verify(rawBody, headers, { now: new Date() });
  switch (event.event) {
    case 'nfe.processada': {
      const valor: string | undefined = event.data.valor;
      // @ts-expect-error valor is the exact decimal text, not a number
      const wrong: number | undefined = event.data.valor;
      return \`\${event.id} \${valor} \${wrong}\`;
    }
    case 'nfe.cancelada':
      return event.data.nfeChave;
    default:
      return String(event.event);
  }
}
export function errors(error: unknown): number {
  if (error instanceof WebhookVerificationError) {
    const code: VerificationErrorCode = error.code;
    // @ts-expect-error codes are a closed union
    const bogus: typeof error.code = 'nope';
    return code.length + String(bogus).length + error.statusCode;
  }
  return 0;
}
const chave: ChaveInfo = parseChave('52060433009911002506550120000007800267301615');
const ok: boolean = verifySignature('{}', 'sha256=00', 'whsec') && verifyNfeIoSignature('{}', { 'x-hub-signature': 'sha1=00' }, 's');
const guard = new DuplicateGuard({ store: { add: async () => true, delete: async () => undefined }, ttlSeconds: 60 });
export const used = [chave.uf.sigla, ok, guard, sign(new ArrayBuffer(1), 's'), formatCnpj('12ABC34501DE35')];
export const middleware = webhookMiddleware({ secret: 'whsec', dedupe: guard });
export const plugin = nfehookPlugin;
export const request = (r: Request) => verifyRequest(r, 'whsec');
interface Request { headers: { get(name: string): string | null }; arrayBuffer(): Promise<ArrayBuffer> }
// @ts-expect-error a secret is required
new Webhook();
`;
  const names = 'Webhook, WebhookVerificationError, verifySignature, verifyNfeIoSignature, sign, parseChave, formatCnpj, verifyRequest, DuplicateGuard';
  const types = 'WebhookEvent, VerificationErrorCode, ChaveInfo';
  writeFileSync(join(project, 'use.mts'), source(`import { ${names} } from 'nfehook';
import type { ${types} } from 'nfehook';
import { webhookMiddleware } from 'nfehook/express';
import nfehookPlugin from 'nfehook/fastify';`));
  writeFileSync(join(project, 'use.cts'), source(`import { ${names} } from 'nfehook';
import type { ${types} } from 'nfehook';
import { webhookMiddleware } from 'nfehook/express';
import nfehookPlugin = require('nfehook/fastify');`));
  const tsc = join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    run('node', [tsc, '-p', 'tsconfig.json']);
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
  // And the check has teeth: a wrong use is reported.
  writeFileSync(join(project, 'use.mts'), "import { Webhook } from 'nfehook';\nnew Webhook('s').verify({}, 'x');\n");
  writeFileSync(join(project, 'use.cts'), 'export {};\n');
  assert.throws(() => run('node', [tsc, '-p', 'tsconfig.json']), (error) => /TS2345/.test(error.stdout));
});

test('the web entry imports the .wasm as a module and needs no Node API (as on Workers)', () => {
  // Workers give `import x from './x.wasm'` a WebAssembly.Module; this loader hook does the same.
  writeFileSync(join(project, 'wasm-as-module.mjs'), `
export async function load(url, context, nextLoad) {
  if (url.endsWith('.wasm')) {
    return { format: 'module', shortCircuit: true,
      source: 'import { readFileSync } from "node:fs";\\nexport default new WebAssembly.Module(readFileSync(new URL(' + JSON.stringify(url) + ')));' };
  }
  return nextLoad(url, context);
}`);
  writeFileSync(join(project, 'register.mjs'), "import { register } from 'node:module';\nregister('./wasm-as-module.mjs', import.meta.url);\n");
  writeFileSync(join(project, 'worker.mjs'), `
import * as web from 'nfehook/web';
import * as main from 'nfehook';
const secret = 'whsec_1234567890abcdef';
const body = JSON.stringify({ id: 'w1', event: 'nfe.erro', timestamp: new Date().toISOString(), data: { nfeChave: 'k', status: 'erro' } });
const request = new Request('https://example.test/hook', { method: 'POST', body, headers: { 'X-Webhook-Signature': web.sign(body, secret) } });
const event = await web.verifyRequest(request, secret);
console.log(JSON.stringify({ id: event.id, sameAsNode: main.sign(body, secret) === web.sign(body, secret),
  separate: main.Webhook !== web.Webhook, chave: web.isValidChave('52060433009911002506550120000007800267301615') }));
`);
  const out = JSON.parse(run('node', ['--import', './register.mjs', 'worker.mjs']));
  assert.deepEqual(out, { id: 'w1', sameAsNode: true, separate: true, chave: true });
  // The "workerd" condition (Cloudflare's) resolves the main entry to the web one.
  writeFileSync(join(project, 'workerd.mjs'), "import { Webhook } from 'nfehook';\nimport * as web from 'nfehook/web';\nconsole.log(Webhook === web.Webhook);\n");
  assert.equal(run('node', ['--conditions=workerd', '--import', './register.mjs', 'workerd.mjs']).trim(), 'true');
  // And the web entry's code uses no Node API: no require, process, Buffer or node: imports.
  for (const file of ['web.mjs', 'glue-web.mjs']) {
    const code = readFileSync(join(project, 'node_modules', 'nfehook', 'lib', file), 'utf8');
    assert.doesNotMatch(code, /\brequire\(|\bprocess\.|\bBuffer\.|from ['"]node:/, file);
  }
});

test("the README's 10-line Express receiver works as written", async () => {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Express in 10 lines'));
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  assert.ok(code.trim().split('\n').length <= 10, code);
  writeFileSync(join(project, 'receiver.cjs'), code);
  // A free loopback port for the snippet's `process.env.PORT`.
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));

  const secret = 'whsec_readme';
  const child = spawn(process.execPath, ['receiver.cjs'], {
    cwd: project,
    env: { ...process.env, PORT: String(port), VALIDANFE_SECRET: secret, NODE_PATH: join(wasmDir, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  try {
    const { nfehook } = await import('./helpers.mjs');
    const body = JSON.stringify({ id: 'r1', event: 'nfe.processada', timestamp: new Date().toISOString(),
      data: { nfeChave: '35170608530528000184550000000154301000771569', status: 'processada', valor: 99.9 } });
    const send = (signature) => fetch(`http://127.0.0.1:${port}/webhooks/validanfe`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-webhook-signature': signature },
    });
    let response;
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        response = await send(nfehook.sign(body, secret));
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true });
    const rejected = await send(nfehook.sign(body, 'whsec_wrong'));
    assert.equal(rejected.status, 400);
    assert.equal((await rejected.json()).error, 'signature_mismatch');
    assert.match(stdout, /nfe\.processada 35170608530528000184550000000154301000771569 99\.9/);
  } finally {
    child.kill();
  }
});
