import { describe, expect, it } from 'vitest';
import { bodyState, sentEvent, utf8Length } from './testEvent';

const MAX = 64 * 1024;

describe('the edited body', () => {
  it('is sendable when it is a JSON object, with the event it names in either dialect', () => {
    expect(bodyState('{"event":"nfe.erro","data":{}}', MAX)).toEqual({ state: 'ok', size: 30, event: 'nfe.erro' });
    expect(bodyState('{"evento":"nfe.consulta.erro"}', MAX)).toMatchObject({ state: 'ok', event: 'nfe.consulta.erro' });
    expect(bodyState('{}', MAX)).toMatchObject({ state: 'ok', event: null });
  });
  it('says what is wrong otherwise', () => {
    expect(bodyState('  \n', MAX)).toEqual({ state: 'empty' });
    expect(bodyState('{"event":', MAX)).toMatchObject({ state: 'invalidJson' });
    expect(bodyState('[1]', MAX)).toEqual({ state: 'notObject' });
    expect(bodyState('"x"', MAX)).toEqual({ state: 'notObject' });
    expect(bodyState('null', MAX)).toEqual({ state: 'notObject' });
    const big = `{"a":"${'é'.repeat(MAX / 2)}"}`;
    expect(bodyState(big, MAX)).toEqual({ state: 'tooLarge', size: MAX + 8, max: MAX });
    // The bound is the one given (the draft's); none before it is known.
    expect(bodyState(big, MAX * 2)).toMatchObject({ state: 'ok' });
    expect(bodyState(big, null)).toMatchObject({ state: 'ok' });
  });
  it('is measured in UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8Length('aé€😀')).toBe(new TextEncoder().encode('aé€😀').length);
  });
});

describe('the sent event', () => {
  it('is read from either dialect', () => {
    expect(sentEvent('{"id":"e1","event":"nfe.erro","data":{"nfeChave":"123"}}')).toEqual({ id: 'e1', event: 'nfe.erro', chave: '123' });
    expect(sentEvent('{"evento":"nfe.consulta.erro","dados":{"chave_nfe":"456"}}')).toEqual({ id: null, event: 'nfe.consulta.erro', chave: '456' });
    expect(sentEvent('{"id":7,"data":"x"}')).toEqual({ id: null, event: null, chave: null });
  });
  it('is null for a body that is not a JSON object', () => {
    expect(sentEvent('[]')).toBeNull();
    expect(sentEvent('{')).toBeNull();
  });
});
