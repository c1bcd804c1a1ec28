// @vitest-environment happy-dom
// The tools' views rendered in a DOM with the Rust commands and events mocked at the IPC boundary.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  // Progress comes through a Channel the view passes: the test calls its onmessage.
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));

import ChavesPanel from '../ChavesPanel.svelte';
import BulkImport from '../BulkImport.svelte';

const A = '52060433009911002506550120000007800267301615';
const info = (chave: string, numero: number) => ({
  chave,
  grouped: chave.match(/.{4}/g)!.join(' '),
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
  numero,
  tipoEmissao: 0,
  tipoEmissaoDescricao: 'Normal',
});

beforeEach(() => {
  invoke.mockReset();
});

describe('ChavesPanel', () => {
  it('validates as the user types and adds only a valid key', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: string }) => {
      if (cmd === 'list_chaves') return [{ chave: A, info: info(A, 780) }];
      if (cmd === 'validate_chave') {
        if (!args.input) return { state: 'empty' };
        if (args.input === A.slice(0, 43) + '6')
          return { state: 'invalid', detail: { code: 'check_digit', message: 'x', position: 44, expected: 5, found: '6', length: null } };
        return { state: 'valid', detail: info(A, 780) };
      }
      if (cmd === 'add_chave') return info(A, 780);
      throw new Error(cmd);
    });
    render(ChavesPanel, { subscriptionId: 's1', onimport: vi.fn() });
    await waitFor(() => expect(document.querySelector(`[data-chave="${A}"]`)).not.toBeNull());
    const input = document.getElementById('chave-input') as HTMLInputElement;
    const add = document.getElementById('chave-add') as HTMLButtonElement;
    await fireEvent.input(input, { target: { value: A.slice(0, 43) + '6' } });
    await waitFor(() =>
      expect(document.getElementById('chave-verdict')?.textContent).toContain('posição 44: esperado 5, encontrado 6'),
    );
    expect(add.disabled).toBe(true);
    await fireEvent.input(input, { target: { value: A } });
    await waitFor(() => expect(document.getElementById('chave-verdict')?.textContent).toContain('33.009.911/0025-06'));
    expect(add.disabled).toBe(false);
    await fireEvent.click(add);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('add_chave', { subscriptionId: 's1', input: A }));
  });

  it('searches, selects and removes after a confirmation', async () => {
    const B = A.slice(0, 30) + '99999999999999';
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'list_chaves') return [{ chave: A, info: info(A, 780) }, { chave: B, info: null }];
      if (cmd === 'validate_chave') return { state: 'empty' };
      if (cmd === 'remove_chaves') return { removed: [A], failed: [] };
      throw new Error(cmd);
    });
    render(ChavesPanel, { subscriptionId: 's1', onimport: vi.fn() });
    await waitFor(() => expect(document.querySelectorAll('#chaves-list li')).toHaveLength(2));
    await fireEvent.input(document.getElementById('chaves-search')!, { target: { value: '0000 0078' } });
    await waitFor(() => expect(document.querySelectorAll('#chaves-list li')).toHaveLength(1));
    await fireEvent.click(screen.getByLabelText(A));
    await fireEvent.click(document.getElementById('chaves-remove')!);
    expect(document.getElementById('chaves-confirm')?.textContent).toContain('Remover 1 chave(s)');
    await fireEvent.click(document.getElementById('chaves-confirm-remove')!);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('remove_chaves', { subscriptionId: 's1', chaves: [A] }));
  });
});

describe('BulkImport', () => {
  it('previews each row, imports, and shows the result of each row', async () => {
    const rows = [
      { row: 1, origin: { source: 'texto colado', line: 1, column: null }, input: A, status: { kind: 'valid', info: info(A, 780) } },
      {
        row: 2,
        origin: { source: 'texto colado', line: 2, column: null },
        input: '123',
        status: { kind: 'invalid', problem: { code: 'length', message: 'x', position: null, expected: null, found: null, length: 3 } },
      },
      { row: 3, origin: { source: 'texto colado', line: 3, column: null }, input: A, status: { kind: 'duplicate', chave: A, firstRow: 1 } },
    ];
    const result = (state: string) => [
      { row: 1, source: 'texto colado', line: 1, column: null, input: A, chave: A, state, reasonCode: null, reason: null },
      { row: 2, source: 'texto colado', line: 2, column: null, input: '123', chave: null, state: 'invalid', reasonCode: 'length', reason: 'access key has 3 characters; expected 44' },
      { row: 3, source: 'texto colado', line: 3, column: null, input: A, chave: A, state: 'duplicate', reasonCode: 'duplicate', reason: 'same key as row 1' },
    ];
    let imported = false;
    let channel: { onmessage: (m: unknown) => void } | null = null;
    invoke.mockImplementation(async (cmd: string, args: { onEvent?: { onmessage: (m: unknown) => void } }) => {
      if (cmd === 'open_imports') return [];
      if (cmd === 'tool_limits') return { maxSourceBytes: 16 * 1024 * 1024 };
      if (cmd === 'preview_import')
        return { previewId: 7, page: { offset: 0, total: rows.length, rows, skipped: [], counts: { valid: 1, invalid: 1, duplicate: 1, existing: 0, skipped: 0 } } };
      if (cmd === 'start_import') {
        channel = args.onEvent ?? null;
        return 42;
      }
      if (cmd === 'import_results') return result(imported ? 'added' : 'pending');
      if (cmd === 'import_status') return { record: {}, running: true };
      throw new Error(cmd);
    });
    render(BulkImport, { subscriptionId: 's1', onclose: vi.fn() });
    await fireEvent.input(document.getElementById('import-text')!, { target: { value: `${A}\n123\n${A}` } });
    await fireEvent.click(document.getElementById('import-preview')!);
    await waitFor(() => expect(document.querySelectorAll('#import-rows tbody tr')).toHaveLength(3));
    const kinds = [...document.querySelectorAll('#import-rows tbody tr')].map((tr) => tr.getAttribute('data-kind'));
    expect(kinds).toEqual(['valid', 'invalid', 'duplicate']);
    expect(document.querySelector('#import-rows tr[data-row="2"]')?.textContent).toContain('A chave tem 3 caracteres');
    expect(document.querySelector('#import-rows tr[data-row="3"]')?.textContent).toContain('Repetida (linha 1)');

    await fireEvent.click(document.getElementById('import-start')!);
    await waitFor(() => expect(document.getElementById('import-progress-text')?.textContent).toContain('0 de 1'));
    imported = true;
    const emit = (m: unknown) => channel!.onmessage(m);
    emit({ type: 'row', importId: 42, row: 1, chave: A, state: 'added', reasonCode: null, reason: null });
    await waitFor(() => expect(document.getElementById('import-progress-text')?.textContent).toContain('1 de 1'));
    emit({
      type: 'ended',
      record: { id: 42, state: 'finished', counts: { total: 3, pending: 0, added: 1, conflict: 0, failed: 0, invalid: 1, duplicate: 1, existing: 0 } },
    });
    await waitFor(() => expect(document.querySelectorAll('#import-results tbody tr')).toHaveLength(3));
    const states = [...document.querySelectorAll('#import-results tbody tr')].map((tr) => tr.getAttribute('data-state'));
    expect(states).toEqual(['added', 'invalid', 'duplicate']);
    expect(document.getElementById('import-summary')?.textContent).toContain('1 adicionadas');
  });

  it('loads a large preview page by page', async () => {
    const row = (n: number) => ({
      row: n,
      origin: { source: 'texto colado', line: n, column: null },
      input: String(n),
      status: { kind: 'invalid', problem: { code: 'length', message: 'x', position: null, expected: null, found: null, length: 1 } },
    });
    const counts = { valid: 0, invalid: 3, duplicate: 0, existing: 0, skipped: 0 };
    const asked: unknown[] = [];
    invoke.mockImplementation(async (cmd: string, args: unknown) => {
      if (cmd === 'open_imports') return [];
      if (cmd === 'tool_limits') return { maxSourceBytes: 16 * 1024 * 1024 };
      if (cmd === 'preview_import') return { previewId: 9, page: { offset: 0, total: 3, rows: [row(1), row(2)], skipped: [], counts } };
      if (cmd === 'preview_page') {
        asked.push(args);
        return { offset: 2, total: 3, rows: [row(3)], skipped: [], counts };
      }
      throw new Error(cmd);
    });
    render(BulkImport, { subscriptionId: 's1', onclose: vi.fn() });
    await fireEvent.input(document.getElementById('import-text')!, { target: { value: '1\n2\n3' } });
    await fireEvent.click(document.getElementById('import-preview')!);
    await waitFor(() => expect(document.querySelectorAll('#import-rows tbody tr')).toHaveLength(2));
    await fireEvent.click(document.getElementById('import-more')!);
    await waitFor(() => expect(document.querySelectorAll('#import-rows tbody tr')).toHaveLength(3));
    expect(asked).toEqual([{ previewId: 9, offset: 2, limit: 500 }]);
    expect(document.getElementById('import-more')).toBeNull();
  });

  it("refuses a file over the parser's bound before reading any file", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'open_imports') return [];
      if (cmd === 'tool_limits') return { maxSourceBytes: 10 };
      throw new Error(cmd);
    });
    render(BulkImport, { subscriptionId: 's1', onclose: vi.fn() });
    const small = new File(['123'], 'poucas.txt');
    const big = new File([A], 'notas.csv');
    const reads = [vi.spyOn(small, 'arrayBuffer'), vi.spyOn(big, 'arrayBuffer')];
    await fireEvent.change(document.getElementById('import-files')!, { target: { files: [small, big] } });
    await fireEvent.click(document.getElementById('import-preview')!);
    await waitFor(() => expect(document.getElementById('import-too-large')).not.toBeNull());
    expect(document.getElementById('import-too-large')!.textContent).toContain('notas.csv');
    expect(document.getElementById('import-too-large')!.getAttribute('data-max')).toBe('10');
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    expect(invoke.mock.calls.some(([c]) => c === 'preview_import')).toBe(false);
  });

  it('applies the events that arrive while the first results are read, after them and in order', async () => {
    const rows = [
      { row: 1, origin: { source: 'texto colado', line: 1, column: null }, input: A, status: { kind: 'valid', info: info(A, 780) } },
    ];
    const pending = [{ row: 1, source: 'texto colado', line: 1, column: null, input: A, chave: A, state: 'pending', reasonCode: null, reason: null }];
    let channel: { onmessage: (m: unknown) => void } | null = null;
    let answer: (v: unknown) => void = () => {};
    invoke.mockImplementation(async (cmd: string, args: { onEvent?: { onmessage: (m: unknown) => void } }) => {
      if (cmd === 'open_imports') return [];
      if (cmd === 'tool_limits') return { maxSourceBytes: 16 * 1024 * 1024 };
      if (cmd === 'preview_import')
        return { previewId: 7, page: { offset: 0, total: 1, rows, skipped: [], counts: { valid: 1, invalid: 0, duplicate: 0, existing: 0, skipped: 0 } } };
      if (cmd === 'start_import') {
        channel = args.onEvent ?? null;
        return 42;
      }
      // The first results stay unanswered until the test answers them.
      if (cmd === 'import_results') return new Promise((resolve) => (answer = resolve));
      if (cmd === 'import_status') return { record: {}, running: true };
      throw new Error(cmd);
    });
    render(BulkImport, { subscriptionId: 's1', onclose: vi.fn() });
    await fireEvent.input(document.getElementById('import-text')!, { target: { value: A } });
    await fireEvent.click(document.getElementById('import-preview')!);
    await waitFor(() => expect(document.getElementById('import-start')).not.toBeNull());
    await fireEvent.click(document.getElementById('import-start')!);
    await waitFor(() => expect(channel).not.toBeNull());
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('import_results', { importId: 42 }));
    // Sent while the results (read before these events) are on their way.
    channel!.onmessage({ type: 'row', importId: 42, row: 1, chave: A, state: 'sending', reasonCode: null, reason: null });
    channel!.onmessage({ type: 'row', importId: 42, row: 1, chave: A, state: 'added', reasonCode: null, reason: null });
    answer(pending);
    await waitFor(() => expect(document.getElementById('import-progress-text')?.textContent).toContain('1 de 1'));
  });
});
