// Shared by the node test suites: the built package (wasm/pkg, from `make npm`) and the
// shared vectors of tests/vectors.
import { after } from 'node:test';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
export const pkgDir = join(here, '..', 'pkg');
export const require = createRequire(import.meta.url);

/** The package as `require('nfehook')` gives it. */
export const nfehook = require(join(pkgDir, 'lib', 'index.cjs'));

/** A file of tests/vectors, parsed. */
export function vectors(name) {
  return JSON.parse(readFileSync(join(repoRoot, 'tests', 'vectors', `${name}.json`), 'utf8'));
}

/** The bytes a vector case names: `<field>` as UTF-8 or `<field>_hex`. */
export function bytesOf(testCase, field) {
  if (testCase[`${field}_hex`] !== undefined) return Buffer.from(testCase[`${field}_hex`], 'hex');
  return Buffer.from(testCase[field], 'utf8');
}

export const SECRET = 'whsec_1234567890abcdef';

/** The spec's example delivery with `timestamp` set to `date` (default now), as text. */
export function specBody(date = new Date(), overrides = {}) {
  const timestamp = date.toISOString().replace(/\.\d+Z$/, 'Z');
  const event = {
    id: 'delivery-uuid',
    event: 'nfe.processada',
    timestamp,
    data: {
      nfeChave: '35170608530528000184550000000154301000771561',
      status: 'processada',
      emitente: { cnpj: '12345678000195', razaoSocial: 'Empresa Exemplo LTDA' },
      valor: 1500,
      dataEmissao: '2024-03-10T15:30:45Z',
    },
    ...overrides,
  };
  return JSON.stringify(event).replace('"valor":1500', '"valor":1500.00');
}

const servers = [];

/** Starts `server` on 127.0.0.1, port 0, and resolves its base URL; closed when the suite ends. */
export async function listen(server) {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
}

after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});
