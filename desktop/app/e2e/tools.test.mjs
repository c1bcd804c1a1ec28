// End to end of the tools in a real window (debug binary under Xvfb, tauri-driver, Debian's
// WebKitWebDriver), on the embedded sandbox: bulk import of a mix of keys with per-row results
// and a preview read page by page; a test event whose body was edited, sent while another view
// is shown, listed by the inspector when the user comes back, as edited and with a valid
// signature; a tampered secret with its failure reason; a replay re-signed with a chosen
// secret; the selection exported as JSON lines; a delivery resent as the same delivery; the keys
// workspace. Every "go to" step is in nav.mjs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key, until } from 'selenium-webdriver';
import { appProcesses, startApp } from './support.mjs';
import { openDeliveries, openInspector, openKeys, openSubscriptionTab, openSubscriptions } from './nav.mjs';

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

/** Sets a textarea's whole value as a paste would (one input event). */
async function paste(css, text) {
  const area = await $(css);
  await driver.executeScript(
    'arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));',
    area,
    text,
  );
}

/** An element's text as the DOM holds it (not as CSS renders it). */
const textOf = async (css) => driver.executeScript('return arguments[0].textContent', await $(css));

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
    await openSubscriptionTab(driver, 'Importação', 'keys');
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
    await openSubscriptionTab(driver, 'Importação', 'keys');
    await click('#open-bulk-import');
    const wrongDigit = key(3).slice(0, 43) + ((Number(key(3)[43]) + 1) % 10);
    const text = [key(2), grouped(key(4)), wrongDigit, `NFe${key(2)}`, key(1), 'linha sem chave', key(5).slice(0, 40)].join('\n');
    await paste('#import-text', text);
    await clickEnabled('#import-preview');
    await $('#import-pane[data-step="preview"] #import-rows');
    assert.deepEqual(await attrs('#import-rows tbody tr', 'data-kind'), ['valid', 'valid', 'invalid', 'duplicate', 'existing', 'invalid']);
    assert.match(await (await $('#import-rows tr[data-row="3"]')).getText(), /esperado \d, encontrado \d/);
    assert.match(await (await $('#import-rows tr[data-row="4"]')).getText(), /linha 1/);
    assert.match(await (await $('#import-rows tr[data-row="6"]')).getText(), /40 caracteres/);
    assert.match(await (await $('#import-counts')).getText(), /2 válidas/);
    await clickEnabled('#import-start');
    await $('#import-pane[data-step="done"] #import-results');
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
    await click('#import-pane .actions button.primary');
    await gone('#import-pane');
    for (const n of [1, 2, 4]) await $(`#chaves-list li[data-chave="${key(n)}"]`);
  });

  it('reads a preview of more than 500 rows page by page, the later rows on the next page', async () => {
    await openSubscriptionTab(driver, 'Importação', 'keys');
    await click('#open-bulk-import');
    const many = Array.from({ length: 620 }, (_, i) => key(1000 + i));
    await paste('#import-text', many.join('\n'));
    await clickEnabled('#import-preview');
    await $('#import-pane[data-step="preview"] #import-rows');
    assert.equal((await $$('#import-rows tbody tr')).length, 500, 'one page of 500 rows');
    assert.equal((await $$('#import-rows tr[data-row="501"]')).length, 0);
    // Below 500 rows: brought into view first (the dialog scrolls, WebKitWebDriver does not).
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', await $('#import-more'));
    await clickEnabled('#import-more');
    const last = await $('#import-rows tr[data-row="620"]');
    assert.equal(await last.getAttribute('data-kind'), 'valid');
    assert.match(await textOf('#import-rows tr[data-row="620"]'), new RegExp(many[619]));
    assert.equal((await $$('#import-rows tbody tr')).length, 620);
    assert.equal((await $$('#import-more')).length, 0, 'no page left');
    await openSubscriptions(driver);
  });

  it('lists a test event sent while another view is shown, as edited and with a valid signature', async () => {
    await openInspector(driver);
    await click('#inspector-start');
    const url = await (await $('#inspector-url')).getText();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    await click('#inspector-subscribe');
    await waitText('#inspector-secret-label', /Inspetor local/);
    const name = await driver.wait(async () => {
      const rows = await $$('[data-row-name^="Inspetor local"]');
      return rows.length ? rows[0].getAttribute('data-row-name') : null;
    }, WAIT);

    // Elsewhere: the subscription's test tab, the proposed body edited by hand.
    await openSubscriptionTab(driver, name, 'test');
    const proposed = await (await $('#test-event-chave')).getAttribute('value');
    const now = new Date();
    const aamm = `${String(now.getUTCFullYear()).slice(2)}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    assert.equal(proposed.slice(2, 6), aamm, `a key of this month: ${proposed}`);
    await (await $('#test-event-kind option[value="nfe.cancelada"]')).click();
    await driver.wait(async () => /"nfe\.cancelada"/.test(await (await $('#test-event-body-input')).getAttribute('value')), WAIT, 'the body drafted for nfe.cancelada');
    const drafted = await (await $('#test-event-body-input')).getAttribute('value');
    const edited = drafted.replace(/"razaoSocial":"[^"]*"/, '"razaoSocial":"Editada no e2e"').replace(/"valor":[0-9.]+/, '"valor":42.195');
    assert.notEqual(edited, drafted);
    await paste('#test-event-body-input', edited);
    await $('#test-event-body-state[data-state="ok"]');
    await clickEnabled('#test-event-send');
    const attempt = await $('#test-event-attempt');
    assert.equal(await attempt.getAttribute('data-code'), '200');

    // Still in Testar: the request the inspector received is listed under the result, valid.
    const arrival = await $('#test-event-arrivals li[data-verdict="valid"]');
    const id = await arrival.getAttribute('data-request');
    assert.match(id, /^\d+$/);

    // Opened from there, the inspector shows that request, byte for byte as edited.
    await click(`#test-event-arrivals [data-open-request="${id}"]`);
    await $(`#inspector-detail[data-request="${id}"]`);
    await $(`#inspector-requests button[data-id="${id}"][data-verdict="valid"][data-event="nfe.cancelada"]`);
    const verdict = await $('#inspector-verdict[data-state="valid"]');
    assert.match(await verdict.getText(), /Assinatura válida/);
    await $('#inspector-chave[data-state="valid"]');
    await click('#inspector-raw-toggle');
    assert.equal(await textOf('#inspector-body'), edited);
    await click('#inspector-curl');
    assert.match(await (await $('#inspector-curl-text')).getText(), /^curl -X POST/);
  });

  it('a tampered secret shows the failure reason', async () => {
    await openInspector(driver);
    await (await $('#inspector-requests button[data-verdict="valid"]')).click();
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
    const name = await (await $('[data-row-name^="Inspetor local"]')).getAttribute('data-row-name');
    await openSubscriptionTab(driver, name, 'test');
    await clickEnabled('#test-event-send');
    await $('#test-event-attempt');
    await openInspector(driver);
    await driver.wait(async () => (await $$('#inspector-requests button')).length > before, WAIT, 'the new request');
    const newest = (await $$('#inspector-requests button'))[0];
    assert.equal(await newest.getAttribute('data-verdict'), 'invalid');
    assert.equal(await newest.getAttribute('data-code'), 'signature_mismatch');
    await newest.click();
    assert.match(await (await $('#inspector-verdict[data-state="invalid"]')).getText(), /não confere/);
  });

  it('replays a request to the inspector re-signed with a chosen secret: valid with it', async () => {
    // The inspector checks with the pasted secret (above); the replay is signed with it too.
    await openInspector(driver);
    const before = (await $$('#inspector-requests button')).length;
    const first = (await $$('#inspector-requests button[data-verdict="invalid"]'))[0];
    await first.click();
    await (await $('#inspector-secret-kind option[value="pasted"]')).click();
    await typeInto('#inspector-secret-pasted', 'whsec_adulterado_0000000000000000');
    const target = await (await $('#inspector-replay-url')).getAttribute('value');
    assert.match(target, /^http:\/\/127\.0\.0\.1:\d+\/webhooks\/nfe$/);
    await clickEnabled('#inspector-replay');
    assert.equal(await (await $('#inspector-replay-result')).getAttribute('data-code'), '200');
    await driver.wait(async () => (await $$('#inspector-requests button')).length > before, WAIT, 'the replayed request');
    const newest = (await $$('#inspector-requests button'))[0];
    assert.equal(await newest.getAttribute('data-verdict'), 'valid');
  });

  it('exports the chosen requests as JSON lines, owner-only', async () => {
    await openInspector(driver);
    const boxes = await $$('#inspector-requests input[data-select]');
    assert.ok(boxes.length >= 3, `${boxes.length} requests`);
    const chosen = [await boxes[0].getAttribute('data-select'), await boxes[2].getAttribute('data-select')];
    await boxes[0].click();
    await boxes[2].click();
    await clickEnabled('#inspector-export');
    const note = await $('#inspector-note[data-path$=".jsonl"]');
    const path = await note.getAttribute('data-path');
    assert.ok(existsSync(path), path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((r) => String(r.id)), chosen);
    assert.ok(lines.every((r) => typeof r.body.text === 'string' && r.headers.length > 0));
  });

  it('resends a delivery: the same delivery gets one more attempt, shown in its timeline', async () => {
    const name = await (await $('[data-row-name^="Inspetor local"]')).getAttribute('data-row-name');
    await openSubscriptionTab(driver, name, 'deliveries');
    const item = await $('#deliveries-list li[data-status="delivered"]');
    const id = await item.getAttribute('data-delivery');
    const attempts = Number(await item.getAttribute('data-attempts'));
    await (await item.findElement(By.css('button'))).click();
    await $(`#delivery-detail[data-delivery="${id}"] #delivery-timeline[data-attempts="${attempts}"]`);
    await $('#deliveries-chart canvas');
    await clickEnabled('#delivery-resend');
    await $('#deliveries-note');
    const timeline = await $(`#delivery-detail[data-delivery="${id}"] #delivery-timeline[data-attempts="${attempts + 1}"]`);
    const added = await timeline.findElement(By.css(`li[data-attempt="${attempts + 1}"]`));
    await driver.wait(async () => (await added.getAttribute('data-outcome')) === 'succeeded', WAIT, 'the new attempt to finish');
    assert.equal((await $$(`#deliveries-list li[data-delivery="${id}"]`)).length, 1, 'the same delivery, no new one');

    // Across every webhook, the same delivery is listed with its attempts.
    await openDeliveries(driver);
    await $(`#deliveries-list li[data-delivery="${id}"][data-attempts="${attempts + 1}"]`);
  });

  it('validates keys with no subscription in the keys workspace', async () => {
    await openKeys(driver);
    await typeInto('#keys-input', key(7));
    await $('#keys-verdict[data-state="valid"]');
    await paste('#keys-text', [key(8), key(8), key(9).slice(0, 40)].join('\n'));
    await clickEnabled('#keys-check');
    await $('#keys-counts[data-total="3"]');
    assert.deepEqual(await attrs('#keys-rows tbody tr', 'data-kind'), ['valid', 'duplicate', 'invalid']);
  });
});
