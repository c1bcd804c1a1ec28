// End to end in a real window: the debug binary under Xvfb, driven through tauri-driver
// (which starts Debian's WebKitWebDriver), against the embedded sandbox.
// Run by `make test-desktop` inside xvfb-run; needs the binary built first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { By, Key, until } from 'selenium-webdriver';
import { ROOT, appProcesses, startApp as startSession, startGroup } from './support.mjs';

const SANDBOX_BIN = process.env.NFEHOOK_SANDBOX_BIN ?? join(ROOT, 'target/debug/nfehook-sandbox');
const SHOTS = join(ROOT, 'target/desktop-e2e');
const WAIT = 15_000;

let driver;
let stopSession;

const $ = (css) => driver.wait(until.elementLocated(By.css(css)), WAIT, `waiting for ${css}`);
const $$ = (css) => driver.findElements(By.css(css));
const row = (name) => $(`[data-row-name="${name}"]`);

async function gone(css) {
  await driver.wait(async () => (await $$(css)).length === 0, WAIT, `waiting for ${css} to go`);
}

async function textOf(css) {
  const el = await $(css);
  await driver.wait(async () => (await el.getText()).trim() !== '', WAIT, `waiting for text in ${css}`);
  return el.getText();
}

async function typeInto(css, text) {
  const el = await $(css);
  await el.click();
  // Select all and type over it, so Svelte sees input events (WebDriver's clear() does not fire them).
  await el.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
  if (text) await el.sendKeys(text);
  await driver.wait(async () => (await el.getAttribute('value')) === text, WAIT, `typing into ${css}`);
}

/** Saves a screenshot and checks it is a real picture: many colours, not one flat fill. */
async function screenshot(name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${name}.png`);
  const png = await driver.takeScreenshot();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, Buffer.from(png, 'base64'));
  assert.ok(statSync(file).size > 5_000, `${file} is too small to hold a rendered window`);
  const [colours, spread] = execFileSync('convert', [file, '-format', '%k %[fx:standard_deviation]', 'info:'])
    .toString()
    .trim()
    .split(' ')
    .map(Number);
  assert.ok(colours > 16, `${name}.png has only ${colours} colours: blank?`);
  assert.ok(spread > 0.02, `${name}.png is nearly uniform (sd ${spread}): blank?`);
  return file;
}

async function fillForm({ name, url }) {
  await typeInto('#form-name', name);
  await typeInto('#form-url', url);
}

/** Starts the app in a fresh profile, with `extraEnv` for tauri-driver and the app. */
async function startApp(extraEnv = {}) {
  ({ driver, stop: stopSession } = await startSession('nfehook-e2e-', () => extraEnv));
}

/** Ends the session and everything it started, and fails if an app process outlived it. */
async function stopApp() {
  await stopSession?.();
  driver = stopSession = undefined;
  assert.deepEqual(appProcesses(), [], 'no app process is left once the suite has stopped it');
}

/** Relative luminance (0 black .. 1 white) of the page background. */
async function backgroundLuminance() {
  const rgb = await driver.executeScript('return getComputedStyle(document.documentElement).backgroundColor');
  const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

describe('NFeHook desktop, end to end on the embedded sandbox', () => {
  before(() => startApp());
  after(() => stopApp());

  let generated;

  it('opens on the sandbox with an empty list', async () => {
    await $('#list-empty');
    const select = await $('#connection-select');
    assert.equal(await select.getAttribute('value'), 'sandbox');
    assert.match(await (await $('h1')).getText(), /NFeHook/);
    // pt-BR by default, light theme when the system is light.
    assert.match(await textOf('#list-empty'), /Nenhuma assinatura/);
    assert.ok((await backgroundLuminance()) > 0.8, 'light background');
  });

  it('creates a subscription, shows the generated secret once, lists it', async () => {
    await (await $('#new-subscription')).click();
    await fillForm({ name: 'ERP Matriz', url: 'https://erp.example.com/webhooks/nfe' });
    await screenshot('form');
    await (await $('#form-submit')).click();
    generated = await textOf('#generated-secret');
    assert.match(generated, /^whsec_[0-9a-f]{32,}$/);
    await (await $('#secret-once button.primary')).click();
    await gone('#secret-once');
    const r = await row('ERP Matriz');
    const url = await r.findElement(By.css('.url'));
    assert.equal(await url.getAttribute('textContent'), 'https://erp.example.com/webhooks/nfe');
    assert.match(await r.getText(), /Processada/);
    assert.match(await r.getText(), /Ativa/);
    assert.match(await textOf('#list-count'), /1 de 1/);
  });

  it('shows the field error for a bad URL and keeps the input', async () => {
    await (await $('#new-subscription')).click();
    await fillForm({ name: 'Quebrada', url: 'erp sem esquema' });
    await (await $('#form-submit')).click();
    const msg = await textOf('#error-url');
    assert.match(msg, /URL inválida/);
    assert.equal(await (await $('#form-url')).getAttribute('aria-invalid'), 'true');
    assert.equal(await (await $('#form-name')).getAttribute('value'), 'Quebrada');
    // An http:// URL passes with a warning.
    await typeInto('#form-url', 'http://127.0.0.1:9/hook');
    await $('#insecure-url');
    await driver.wait(async () => (await (await $('#error-url')).getText()) === '', WAIT);
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#subscription-form');
  });

  it('shows a conflict (409) for a URL already registered, keeping the form', async () => {
    await (await $('#new-subscription')).click();
    await fillForm({ name: 'Duplicada', url: 'https://erp.example.com/webhooks/nfe' });
    await (await $('#form-submit')).click();
    const notice = await $('#subscription-form .error-notice[data-kind="conflict"]');
    assert.match(await notice.getText(), /Conflito/);
    await $('#form-kept');
    assert.equal(await (await $('#form-name')).getAttribute('value'), 'Duplicada');
    await (await $('#subscription-form .actions button:not(.primary)')).click();
    await gone('#subscription-form');
    assert.equal((await $$('[data-row-name="Duplicada"]')).length, 0);
  });

  it('edits it', async () => {
    await (await (await row('ERP Matriz')).findElement(By.css('[data-action="edit"]'))).click();
    assert.equal(await (await $('#form-name')).getAttribute('value'), 'ERP Matriz');
    await typeInto('#form-name', 'ERP Filial');
    await (await $('input[name="events"][value="nfe.cancelada"]')).click();
    await (await $('#form-submit')).click();
    await gone('#subscription-form');
    const r = await row('ERP Filial');
    await driver.wait(async () => /Cancelada/.test(await r.getText()), WAIT, 'edited events shown');
    assert.equal((await $$('[data-row-name="ERP Matriz"]')).length, 0);
  });

  it('toggles it in place, and the change holds after a refresh (Ctrl+R)', async () => {
    const toggle = await (await row('ERP Filial')).findElement(By.css('[data-action="toggle"]'));
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await toggle.click();
    await driver.wait(async () => (await toggle.getAttribute('aria-checked')) === 'false', WAIT);
    await driver.actions().keyDown(Key.CONTROL).sendKeys('r').keyUp(Key.CONTROL).perform();
    await driver.wait(
      async () => {
        const t = await $$('[data-row-name="ERP Filial"] [data-action="toggle"]');
        return t.length === 1 && (await t[0].getAttribute('aria-checked')) === 'false';
      },
      WAIT,
      'inactive after refresh',
    );
    await screenshot('list');
  });

  it('reveals the secret in the detail view, masked until asked', async () => {
    await (await (await row('ERP Filial')).findElement(By.css('[data-action="open"]'))).click();
    const secret = await $('#secret-value');
    await driver.wait(async () => (await secret.getText()).includes('••••'), WAIT);
    assert.ok((await secret.getText()).endsWith(generated.slice(-4)));
    await (await $('#reveal-secret')).click();
    await driver.wait(async () => (await secret.getText()) === generated, WAIT, 'revealed secret');
    await (await $('#copy-secret')).click();
    assert.match(await textOf('#detail-dialog [role="status"]'), /30 s/);
    assert.match(await textOf('#detail-status'), /Inativa/);
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#detail-dialog');
  });

  it('searches with Ctrl+F and opens the form with Ctrl+N', async () => {
    await driver.actions().keyDown(Key.CONTROL).sendKeys('f').keyUp(Key.CONTROL).perform();
    const search = await $('#search');
    assert.equal(await driver.executeScript('return document.activeElement.id'), 'search');
    await search.sendKeys('nada parecido');
    await $('#list-no-match');
    await typeInto('#search', 'filial');
    await row('ERP Filial');
    await typeInto('#search', '');
    await driver.actions().keyDown(Key.CONTROL).sendKeys('n').keyUp(Key.CONTROL).perform();
    await $('#subscription-form');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#subscription-form');
  });

  it('deletes it after a confirmation naming it', async () => {
    await (await (await row('ERP Filial')).findElement(By.css('[data-action="delete"]'))).click();
    assert.match(await textOf('#confirm-text'), /“ERP Filial”/);
    await (await $('#confirm-delete')).click();
    await gone('[data-row-name="ERP Filial"]');
    await $('#list-empty');
  });

  it('a wrong API key shows its error with a way to the connection settings', async () => {
    await (await $('#open-connections')).click();
    const sandboxUrl = await textOf('[data-connection="sandbox"] .base-url');
    assert.match(sandboxUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    // Headless Linux has no Secret Service: the app says keys stay in memory.
    await $('#keychain-notice-dialog');
    await (await $('#new-connection-kind option[value="custom"]')).click();
    await typeInto('#new-connection-name', 'Chave errada');
    await typeInto('#new-connection-url', sandboxUrl);
    await typeInto('#new-connection-key', 'chave-invalida-WXYZ');
    await (await $('#add-connection')).click();
    const item = await $('#connections-dialog li:nth-child(2)');
    await driver.wait(async () => /…WXYZ/.test(await item.getText()), WAIT, 'last 4 shown');
    const html = await driver.getPageSource();
    assert.ok(!html.includes('chave-invalida'), 'the key never comes back to the webview');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#connections-dialog');
    const notice = await $('.error-notice[data-kind="unauthorized"]');
    assert.match(await notice.getText(), /Chave de API ausente ou recusada/);
    await $('#keychain-notice');
    await (await notice.findElement(By.css('[data-action="open-connections"]'))).click();
    await (await $('[data-connection="sandbox"] [data-action="use"]')).click();
    await driver.wait(async () => (await $$('.error-notice[data-kind="unauthorized"]')).length === 0, WAIT);
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#connections-dialog');
    await $('#list-empty');
  });

  it('switches the UI to English', async () => {
    const select = await $('#locale-select');
    await select.findElement(By.css('option[value="en"]')).then((o) => o.click());
    await driver.wait(async () => /No subscriptions yet/.test(await (await $('#list-empty')).getText()), WAIT);
  });
});

describe('NFeHook desktop follows a dark system theme', () => {
  before(() => startApp({ GTK_THEME: 'Adwaita:dark' }));
  after(() => stopApp());

  it('renders dark', async () => {
    await $('#list-empty');
    assert.ok((await backgroundLuminance()) < 0.2, 'dark background');
    await screenshot('list-dark');
  });
});

describe('NFeHook desktop against a rate-limited service that then goes away', () => {
  let sandbox;
  let base;
  before(async () => {
    // The sandbox binary run by hand: 3 requests per 60 s window, then 429 with Retry-After.
    sandbox = startGroup('sandbox-rate-limited', SANDBOX_BIN, [
      '--listen', '127.0.0.1:0', '--in-memory', '--api-key', 'e2e-key-RATE', '--rate-limit', '3', '--rate-window-secs', '60', '--log', 'error',
    ]);
    base = await new Promise((res, rej) => {
      sandbox.child.once('exit', (c) => rej(new Error(`sandbox exited ${c} (see ${sandbox.log})`)));
      const poll = setInterval(() => {
        const m = /listening on (http:\/\/\S+)/.exec(readFileSync(sandbox.log, 'utf8'));
        if (m) {
          clearInterval(poll);
          res(m[1]);
        }
      }, 50);
      sandbox.child.once('exit', () => clearInterval(poll));
    });
    await startApp();
  });
  after(async () => {
    await stopApp();
    await sandbox?.stop();
  });

  it('counts down Retry-After, then says offline when the service is gone', async () => {
    await $('#list-empty');
    await (await $('#open-connections')).click();
    await (await $('#new-connection-kind option[value="custom"]')).click();
    await typeInto('#new-connection-name', 'Limitado');
    await typeInto('#new-connection-url', base);
    await typeInto('#new-connection-key', 'e2e-key-RATE');
    await (await $('#add-connection')).click();
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#connections-dialog');
    const refresh = async () => {
      await driver.wait(async () => (await (await $('#refresh')).isEnabled()), WAIT);
      await driver.actions().keyDown(Key.CONTROL).sendKeys('r').keyUp(Key.CONTROL).perform();
    };
    // The switch listed once; two more lists use up the window.
    for (let i = 0; i < 3 && (await $$('.error-notice[data-kind="rateLimited"]')).length === 0; i++) await refresh();
    const notice = await $('.error-notice[data-kind="rateLimited"]');
    const seconds = async () => Number(/em (\d+) s/.exec(await notice.getText())?.[1]);
    const first = await seconds();
    assert.ok(first > 1 && first <= 60, `countdown starts from Retry-After: ${await notice.getText()}`);
    assert.equal(await (await notice.findElement(By.css('button.retry'))).isEnabled(), false);
    await driver.wait(async () => (await seconds()) < first, 5_000, 'the countdown moves');

    await sandbox.stop();
    await refresh();
    const offline = await $('.error-notice[data-kind="offline"]');
    assert.match(await offline.getText(), /Sem conexão com o serviço/);
  });
});

describe('the WebDriver suite leaves nothing running', () => {
  it('sees the app while a session runs and no app process once it is stopped', async () => {
    await startApp();
    await $('#list-empty');
    // The check can see the app: without this, an empty list after stop would prove nothing.
    assert.ok(appProcesses().length >= 1, 'the running app is visible to the check');
    await stopApp();
    assert.deepEqual(appProcesses(), []);
  });
});
