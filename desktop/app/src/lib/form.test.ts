import { describe, expect, it } from 'vitest';
import { fieldMessages, formFieldOf, isInsecureUrl } from './form';

describe('form messages', () => {
  it('maps server field names to form fields', () => {
    expect(formFieldOf('Url')).toBe('url');
    expect(formFieldOf('$.url')).toBe('url');
    expect(formFieldOf('events[0]')).toBe('events');
    expect(formFieldOf('Subscription.Name')).toBe('name');
    expect(formFieldOf('isActive')).toBeNull();
  });

  it('shows local problems only for touched fields until submit', () => {
    const local = { errors: { name: ['blank'], url: ['invalid_url'] }, warnings: [] };
    const touched = fieldMessages(local, null, new Set(['url']));
    expect(touched.byField.url?.codes).toEqual(['invalid_url']);
    expect(touched.byField.name).toBeUndefined();
    const all = fieldMessages(local, null, 'all');
    expect(all.byField.name?.codes).toEqual(['blank']);
  });

  it('puts server errors beside their field, others on top', () => {
    const m = fieldMessages(null, { Url: ['URL já cadastrada'], other: ['algo'] }, new Set());
    expect(m.byField.url?.texts).toEqual(['URL já cadastrada']);
    expect(m.general).toEqual(['algo']);
  });

  it('warns on http only', () => {
    expect(isInsecureUrl('http://a.b')).toBe(true);
    expect(isInsecureUrl(' HTTP://a.b')).toBe(true);
    expect(isInsecureUrl('https://a.b')).toBe(false);
  });
});
