import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ptBR } from './pt-BR';
import { translate } from './index';
import { TOOL_PROBLEM_CODES } from '../errors';

describe('message catalogue', () => {
  it('has the same keys in both languages and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ptBR).sort());
    for (const table of [en, ptBR]) for (const v of Object.values(table)) expect(v.trim()).not.toBe('');
  });

  it('uses the same placeholders in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(ptBR) as (keyof typeof ptBR)[]) expect(params(en[k])).toEqual(params(ptBR[k]));
  });

  it('interpolates and falls back', () => {
    expect(translate('pt-BR', 'confirm.deleteText', { name: 'ERP' })).toContain('“ERP”');
    expect(translate('en', 'list.count', { shown: 1, total: 2 })).toBe('1 of 2 subscriptions');
    expect(translate('en', 'field.some_new_code', {}, 'Invalid value.')).toBe('Invalid value.');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });

  it('covers every field code nfehook-core emits', () => {
    // FieldProblem::code() in core/src/subscription.rs.
    for (const code of ['blank', 'too_long', 'invalid_url', 'unsupported_scheme', 'missing_host', 'invalid_port', 'no_events', 'unknown_event', 'duplicate_event']) {
      expect(ptBR).toHaveProperty(`field.${code}`);
    }
  });

  it('says every problem code the tool commands give, in both languages', () => {
    for (const code of TOOL_PROBLEM_CODES) {
      expect(ptBR).toHaveProperty(`problem.${code}`);
      expect(en).toHaveProperty(`problem.${code}`);
    }
  });
});
