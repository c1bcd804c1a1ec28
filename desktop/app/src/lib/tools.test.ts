import { describe, expect, it } from 'vitest';
import {
  applyRowChanges,
  filterResults,
  headerValue,
  matchesChave,
  problemMessage,
  progressPercent,
  readSources,
  toBase64,
  type ChaveRow,
  type ResultRow,
} from './tools';
import { translate } from './i18n/index';

const CHAVE = '52060433009911002506550120000007800267301615';
const row: ChaveRow = {
  chave: CHAVE,
  info: {
    chave: CHAVE,
    grouped: '5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615',
    uf: 'GO',
    ufCode: 52,
    ufNome: 'Goiás',
    ano: 2006,
    mes: 4,
    emitente: '33.009.911/0025-06',
    emitenteKind: 'CNPJ',
    modelo: 55,
    modeloNome: 'NF-e',
    serie: 12,
    numero: 780,
    tipoEmissao: 0,
    tipoEmissaoDescricao: 'Normal',
  },
};

describe('keys helpers', () => {
  it('searches a key by any grouping of its digits, its issuer or its state', () => {
    expect(matchesChave(row, '')).toBe(true);
    expect(matchesChave(row, '0000 0078')).toBe(true);
    expect(matchesChave(row, '33.009.911/0025-06')).toBe(true);
    expect(matchesChave(row, 'go')).toBe(true);
    expect(matchesChave(row, 'SP')).toBe(false);
    expect(matchesChave({ chave: 'X123', info: null }, 'go')).toBe(false);
  });

  it('translates key problems with their position and digits', () => {
    const m = problemMessage({ code: 'check_digit', message: 'x', position: 44, expected: 9, found: '1', length: null });
    expect(translate('pt-BR', m.key, m.params)).toBe('Dígito verificador errado na posição 44: esperado 9, encontrado 1.');
    expect(translate('en', m.key, m.params)).toBe('Wrong check digit at position 44: expected 9, found 1.');
    const l = problemMessage({ code: 'length', message: 'x', position: null, expected: null, found: null, length: 43 });
    expect(translate('pt-BR', l.key, l.params)).toBe('A chave tem 43 caracteres; são 44.');
  });

  it('encodes file bytes as base64, large files included', () => {
    expect(toBase64(new Uint8Array([0xff, 0x00, 0x41]))).toBe('/wBB');
    const big = new Uint8Array(100_000).fill(65);
    expect(atob(toBase64(big)).length).toBe(100_000);
  });

  it('computes progress and filters results', () => {
    expect(progressPercent(0, 0)).toBe(100);
    expect(progressPercent(1, 3)).toBe(33);
    expect(progressPercent(5, 3)).toBe(100);
    const r = (n: number, state: ResultRow['state']): ResultRow => ({
      row: n, source: 's', line: n, column: null, input: 'i', chave: null, state, reasonCode: null, reason: null,
    });
    const rows = [r(1, 'added'), r(2, 'failed'), r(3, 'added')];
    expect(filterResults(rows, 'all')).toHaveLength(3);
    expect(filterResults(rows, 'added').map((x) => x.row)).toEqual([1, 3]);
  });

  it('reads headers case-insensitively, joining repeats', () => {
    const h: [string, string][] = [['x-webhook-signature', 'sha256=a'], ['X-Webhook-Signature', 'sha256=b']];
    expect(headerValue(h, 'X-WEBHOOK-SIGNATURE')).toBe('sha256=a, sha256=b');
    expect(headerValue(h, 'content-type')).toBeNull();
  });
});

describe('import results', () => {
  const result = (row: number, state: ResultRow['state']): ResultRow => ({
    row, source: 'texto colado', line: row, column: null, input: CHAVE, chave: CHAVE, state, reasonCode: null, reason: null,
  });

  it('applies queued row changes in one pass, the last change of a row winning', () => {
    const rows = [result(1, 'pending'), result(2, 'pending'), result(3, 'invalid')];
    const changes = new Map([
      [1, { state: 'sending' as const, reasonCode: null, reason: null }],
      [2, { state: 'failed' as const, reasonCode: 'server', reason: 'HTTP 500' }],
      [9, { state: 'added' as const, reasonCode: null, reason: null }],
    ]);
    changes.set(1, { state: 'added', reasonCode: null, reason: null });
    const next = applyRowChanges(rows, changes);
    expect(next.map((r) => r.state)).toEqual(['added', 'failed', 'invalid']);
    expect(next[1].reason).toBe('HTTP 500');
    expect(next[2]).toBe(rows[2]);
    expect(rows[0].state).toBe('pending');
    expect(applyRowChanges(rows, new Map())).toBe(rows);
  });
});

describe('sources', () => {
  it('puts the pasted text first, skips blank text, and reads each file', async () => {
    const file = new File(['abc'], 'a.txt');
    expect(await readSources('k1', [file], 'colado', 100)).toEqual({
      sources: [{ name: 'colado', text: 'k1' }, { name: 'a.txt', base64: 'YWJj' }],
    });
    expect(await readSources(' \n ', [], 'colado', 100)).toEqual({ sources: [] });
  });

  it('names the first file over the bound and reads none', async () => {
    const ok = new File(['1'], 'ok.txt');
    const big = new File(['12345'], 'big.csv');
    expect(await readSources('k1', [ok, big], 'colado', 4)).toEqual({ oversized: { name: 'big.csv', size: 5, max: 4 } });
  });
});
