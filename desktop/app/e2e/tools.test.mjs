// End to end of the tools in a real window (debug binary under Xvfb, tauri-driver, Debian's
// WebKitWebDriver), on the embedded sandbox: bulk import of a mix of keys with per-row results,
// a test event through the sandbox's dispatcher into the local inspector with a valid
// signature, and a tampered secret with its failure reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key, until } from 'selenium-webdriver';
import { appProcesses, startApp } from './support.mjs';

const WAIT = 20_000;

// Valid keys built like the Rust tests do (model 55, series 12, numbers 1..), with their
// modulo-11 check digit.
function key(n) {
  const first = `5206043300991100250655012${String(n).padStart(9, '0')}112345678`;
  let sum = 0;
  let weight = 2;
  for (let i = first.length - 1; i >= 0; i--) {
    sum += (first.charCodeAt(i) - 48) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const rest = sum % 11;
  return first + (rest < 2 ? 0 : 11 - rest);
}
const grouped = (k) => k.match(/.{4}/g).join(' ');

let driver;
let stop;

/** The element, once present; on a timeout the error carries what the window shows. */
async function $(css) {
  try {
    return await driver.wait(until.elementLocated(By.css(css)), WAIT, `waiting for ${css}`);
  } catch (e) {
    const shown = await driver.executeScript('return document.body.innerText').catch(() => '');
    e.message += `\n--- window text ---\n${String(shown).slice(-1500)}`;
    throw e;
  }
}
const $$ = (css) => driver.findElements(By.css(css));

/** Waits until the element's text matches (it changes after an IPC round trip). */
async function waitText(css, re) {
  const el = await $(css);
  let last = '';
  try {
    await driver.wait(async () => re.test((last = await el.getText())), WAIT);
  } catch {
    assert.fail(`${css}: ${JSON.stringify(last)} does not match ${re}`);
  }
  return last;
}
const row = (name) => $(`[data-row-name="${name}"]`);
const click = async (css) => (await $(css)).click();
/** Clicks a button once it is enabled (live validation runs through IPC first). */
async function clickEnabled(css) {
  const el = await $(css);
  await driver.wait(async () => el.isEnabled(), WAIT, `waiting for ${css} to be enabled`);
  await el.click();
}

async function gone(css) {
  await driver.wait(async () => (await $$(css)).length === 0, WAIT, `waiting for ${css} to go`);
}

async function attrs(css, name) {
  return Promise.all((await $$(css)).map((e) => e.getAttribute(name)));
}

async function typeInto(css, text) {
  const el = await $(css);
  await el.click();
  await el.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
  if (text) await el.sendKeys(text);
}

async function createSubscription(name, url) {
  await click('#new-subscription');
  await typeInto('#form-name', name);
  await typeInto('#form-url', url);
  await click('#form-submit');
  await $('#generated-secret');
  await click('#secret-once button.primary');
  await gone('#secret-once');
  await row(name);
}

async function closeDetail() {
  await click('#detail-dialog > .actions button.primary');
  await gone('#detail-dialog');
}

async function openDetail(name) {
  await (await (await row(name)).findElement(By.css('[data-action="open"]'))).click();
  await $('#chaves-panel');
}

describe('NFeHook desktop tools, end to end on the embedded sandbox', () => {
  before(async () => {
    ({ driver, stop } = await startApp('nfehook-e2e-tools-', (profile) => ({
      NFEHOOK_EXPORT_DIR: join(profile, 'exports'),
    })));
    await $('#list-empty');
  });

  after(async () => {
    await stop?.();
    assert.deepEqual(appProcesses(), [], 'no app process is left once the suite has stopped it');
  });

  it('validates a key as it is typed, with the decoded fields or the exact problem', async () => {
    await createSubscription('Importação', 'http://127.0.0.1:9/webhooks/import');
    await openDetail('Importação');
    await typeInto('#chave-input', grouped(key(1)));
    const fields = await $('#chave-verdict[data-state="valid"]');
    assert.match(await fields.getText(), /GO/);
    assert.match(await fields.getText(), /33\.009\.911\/0025-06/);
    const bad = key(1).slice(0, 43) + ((Number(key(1)[43]) + 1) % 10);
    await typeInto('#chave-input', bad);
    const problem = await $('#chave-verdict[data-state="invalid"]');
    assert.equal(await problem.getAttribute('data-code'), 'check_digit');
    assert.match(await problem.getText(), /posição 44: esperado \d, encontrado \d/);
    await typeInto('#chave-input', key(1));
    await clickEnabled('#chave-add');
    await $(`#chaves-list li[data-chave="${key(1)}"]`);
  });

  it('bulk-imports a mix of valid, invalid and duplicate keys with a result per row', async () => {
    await click('#open-bulk-import');
    const wrongDigit = key(3).slice(0, 43) + ((Number(key(3)[43]) + 1) % 10);
    const text = [key(2), grouped(key(4)), wrongDigit, `NFe${key(2)}`, key(1), 'linha sem chave', key(5).slice(0, 40)].join('\n');
    const area = await $('#import-text');
    await driver.executeScript(
      'arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));',
      area,
      text,
    );
    await clickEnabled('#import-preview');
    await $('#import-rows');
    assert.deepEqual(await attrs('#import-rows tbody tr', 'data-kind'), ['valid', 'valid', 'invalid', 'duplicate', 'existing', 'invalid']);
    assert.match(await (await $('#import-rows tr[data-row="3"]')).getText(), /esperado \d, encontrado \d/);
    assert.match(await (await $('#import-rows tr[data-row="4"]')).getText(), /linha 1/);
    assert.match(await (await $('#import-rows tr[data-row="6"]')).getText(), /40 caracteres/);
    assert.match(await (await $('#import-counts')).getText(), /2 válidas/);
    await clickEnabled('#import-start');
    await $('#import-results');
    assert.deepEqual(await attrs('#import-results tbody tr', 'data-state'), [
      'added',
      'added',
      'invalid',
      'duplicate',
      'existing',
      'invalid',
    ]);
    await waitText('#import-summary', /2 adicionadas/);
    await click('#import-export');
    const note = await (await $('#import-note')).getText();
    const path = /em (\/\S+\.csv)/.exec(note)?.[1];
    assert.ok(path && existsSync(path), `exported CSV: ${note}`);
    const csv = readFileSync(path, 'utf8');
    assert.match(csv, /^row,source,line,column,input,chave,result,reason_code,reason\r\n/);
    assert.match(csv, /,added,,/);
    assert.match(csv, /,invalid,check_digit,/);
    await click('#import-dialog .actions button.primary');
    await gone('#import-dialog');
    for (const n of [1, 2, 4]) await $(`#chaves-list li[data-chave="${key(n)}"]`);
    await closeDetail();
  });

  it('sends a test event through the sandbox into the inspector with a valid signature', async () => {
    await click('#open-inspector');
    await click('#inspector-start');
    const url = await (await $('#inspector-url')).getText();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    await click('#inspector-subscribe');
    await waitText('#inspector-secret-label', /Inspetor local/);
    await click('#inspector-dialog .top button.primary');
    await gone('#inspector-dialog');

    const name = await driver.wait(async () => {
      const rows = await $$('[data-row-name^="Inspetor local"]');
      return rows.length ? rows[0].getAttribute('data-row-name') : null;
    }, WAIT);
    await openDetail(name);
    await click('#open-test-event');
    await (await $('#test-event-kind option[value="nfe.cancelada"]')).click();
    await clickEnabled('#test-event-send');
    const attempt = await $('#test-event-attempt');
    assert.equal(await attempt.getAttribute('data-code'), '200');
    await click('#test-event-close');
    await gone('#test-event-dialog');
    await closeDetail();

    await click('#open-inspector');
    const req = await $('#inspector-requests button[data-verdict="valid"]');
    await req.click();
    const verdict = await $('#inspector-verdict[data-state="valid"]');
    assert.match(await verdict.getText(), /Assinatura válida/);
    assert.match(await (await $('#inspector-detail')).getText(), /nfe\.cancelada/);
    await $('#inspector-chave[data-state="valid"]');
    await click('#inspector-curl');
    assert.match(await (await $('#inspector-curl-text')).getText(), /^curl -X POST/);
  });

  it('a tampered secret shows the failure reason', async () => {
    await (await $('#inspector-secret-kind option[value="pasted"]')).click();
    await typeInto('#inspector-secret-pasted', 'whsec_adulterado_0000000000000000');
    await click('#inspector-recheck');
    const recheck = await $('#inspector-recheck-verdict');
    assert.equal(await recheck.getAttribute('data-code'), 'signature_mismatch');
    assert.match(await recheck.getText(), /não confere/);

    // From now on, arriving requests are checked with the tampered secret.
    await click('#inspector-secret-apply');
    await waitText('#inspector-secret-label', /colado/);
    const before = (await $$('#inspector-requests button')).length;
    await click('#inspector-dialog .top button.primary');
    await gone('#inspector-dialog');
    const name = await (await $('[data-row-name^="Inspetor local"]')).getAttribute('data-row-name');
    await openDetail(name);
    await click('#open-test-event');
    await clickEnabled('#test-event-send');
    await $('#test-event-attempt');
    await click('#test-event-close');
    await gone('#test-event-dialog');
    await closeDetail();
    await click('#open-inspector');
    await driver.wait(async () => (await $$('#inspector-requests button')).length > before, WAIT, 'the new request');
    const newest = (await $$('#inspector-requests button'))[0];
    assert.equal(await newest.getAttribute('data-verdict'), 'invalid');
    assert.equal(await newest.getAttribute('data-code'), 'signature_mismatch');
    await newest.click();
    assert.match(await (await $('#inspector-verdict[data-state="invalid"]')).getText(), /não confere/);
  });
});
