// End to end of the account webhook in a real window (debug binary under Xvfb, tauri-driver,
// Debian's WebKitWebDriver), on the embedded sandbox: the sandbox connection sets its account
// webhook to the local inspector, the test-event pane sends an account event, and the
// inspector shows it in the account dialect with its fields.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { By, Key, until } from 'selenium-webdriver';
import { appProcesses, startApp } from './support.mjs';
import { openConnections, openInspector, openSubscriptionTab, openSubscriptions } from './nav.mjs';

const WAIT = 20_000;

let driver;
let stop;

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
const click = async (css) => (await $(css)).click();

async function clickEnabled(css) {
  const el = await $(css);
  await driver.wait(async () => el.isEnabled(), WAIT, `waiting for ${css} to be enabled`);
  await el.click();
}

async function gone(css) {
  await driver.wait(async () => (await $$(css)).length === 0, WAIT, `waiting for ${css} to go`);
}

async function typeInto(css, text) {
  const el = await $(css);
  await el.click();
  await el.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
  if (text) await el.sendKeys(text);
}

describe('NFeHook desktop, the account webhook end to end on the embedded sandbox', () => {
  before(async () => {
    ({ driver, stop } = await startApp('nfehook-e2e-dialects-'));
    await $('#list-empty');
  });

  after(async () => {
    await stop?.();
    assert.deepEqual(appProcesses(), [], 'no app process is left once the suite has stopped it');
  });

  it('sets the account webhook and shows an account event in the inspector', async () => {
    await openInspector(driver);
    await click('#inspector-start');
    const url = await (await $('#inspector-url')).getText();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    await openConnections(driver);
    await $('#account-webhook-current');
    await typeInto('#account-webhook-url', `${url}conta`);
    await click('#account-webhook-save');
    const secret = await (await $('#account-webhook-generated')).getText();
    assert.match(secret, /^whsec_[0-9a-f]{32,}$/);
    assert.match(await (await $('#account-webhook-current')).getText(), new RegExp(`…${secret.slice(-4)}`));
    await openSubscriptions(driver);

    // The pane belongs to a subscription; the account event goes to the account webhook.
    await click('#new-subscription');
    await typeInto('#form-name', 'Conta e2e');
    await typeInto('#form-url', 'http://127.0.0.1:9/assinatura');
    await click('#form-submit');
    await $('#generated-secret');
    await click('#secret-once button.primary');
    await gone('#secret-once');
    await $('[data-row-name="Conta e2e"]');
    await openSubscriptionTab(driver, 'Conta e2e', 'test');
    await (await $('#test-event-kind option[value="nfe.consulta.erro"]')).click();
    await driver.wait(async () => /"evento":"nfe\.consulta\.erro"/.test(await (await $('#test-event-body-input')).getAttribute('value')), WAIT, 'the account body drafted');
    await clickEnabled('#test-event-send');
    const attempt = await $('#test-event-attempt');
    assert.equal(await attempt.getAttribute('data-code'), '200');

    await openInspector(driver);
    await (await $('#inspector-requests button')).click();
    await $('#inspector-dialect[data-dialect="account"]');
    assert.match(await (await $('#inspector-detail')).getText(), /nfe\.consulta\.erro/);
    assert.match(await (await $('#inspector-fields')).getText(), /erroCodigo\s*404/);
  });
});
