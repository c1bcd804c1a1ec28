// The package's TypeScript types keep their promises: `tsc --noEmit --strict` accepts
// types/accepted.ts and types/rejected.ts, whose wrong uses are each marked `@ts-expect-error`;
// with the marks removed, each wrong use is exactly one error (so no mark hides nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pkgDir } from './helpers.mjs';

const testDir = dirname(fileURLToPath(import.meta.url));
const here = join(testDir, 'types');
const tsc = join(testDir, '..', 'node_modules', 'typescript', 'bin', 'tsc');
const FLAGS = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'es2022', '--lib', 'es2022'];

/** tsc's exit and output over `files`. */
function check(files) {
  try {
    execFileSync(process.execPath, [tsc, ...FLAGS, ...files], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: `${error.stdout}${error.stderr}` };
  }
}

test('accepted.ts and rejected.ts type-check (each wrong use of rejected.ts is expected)', () => {
  const { ok, output } = check([join(here, 'accepted.ts'), join(here, 'rejected.ts')]);
  assert.ok(ok, `tsc failed:\n${output}`);
});

test('rejected.ts without its @ts-expect-error marks: one error per mark', () => {
  const source = readFileSync(join(here, 'rejected.ts'), 'utf8');
  const mark = /^(\s*)\/\/ @ts-expect-error/gm;
  const marks = source.match(mark).length;
  assert.ok(marks >= 10);
  const dir = mkdtempSync(join(tmpdir(), 'nfehook-types-'));
  try {
    const bare = source
      .replace(mark, '$1// (expected error)')
      .replaceAll("'../../pkg/types/index.js'", JSON.stringify(join(pkgDir, 'types', 'index.js')));
    writeFileSync(join(dir, 'rejected.ts'), bare);
    const { ok, output } = check([join(dir, 'rejected.ts')]);
    assert.equal(ok, false);
    // Each error sits on the line right after a mark, and each such line has one.
    const expected = source.split('\n').flatMap((line, i) => (/^\s*\/\/ @ts-expect-error/.test(line) ? [i + 2] : []));
    const found = [...output.matchAll(/rejected\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1]));
    assert.equal(expected.length, marks);
    assert.deepEqual(found, expected, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
