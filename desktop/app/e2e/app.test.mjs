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
import { openInspector, openSection, openSettings, openSubscription, openSubscriptionTab } from './nav.mjs';

const SANDBOX_BIN = process.env.NFEHOOK_SANDBOX_BIN ?? join(ROOT, 'target/debug/nfehook-sandbox');
const SHOTS = join(ROOT, 'target/desktop-e2e/screenshots');
const WAIT = 15_000;

let driver;
let stopSession;

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
const row = (name) => $(`[data-row-name="${name}"]`);
const ctrl = (key) => driver.actions().keyDown(Key.CONTROL).sendKeys(key).keyUp(Key.CONTROL).perform();

/** Brings the element to the middle of the window, then clicks it (a pane can be taller than
 *  the window; the page scrolls). */
async function clickInView(css) {
  const el = await $(css);
  await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
  await el.click();
}

async function gone(css) {
  await driver.wait(async () => (await $$(css)).length === 0, WAIT, `waiting for ${css} to go`);
}

async function textOf(css) {
  const el = await $(css);
  await driver.wait(async () => (await el.getText()).trim() !== '', WAIT, `waiting for text in ${css}`);
  return el.getText();
}

/** The label of the secret the running inspector checks with, as Rust holds it (what the pane's
 *  label is rendered from): a machine-readable string, not the rendered text. */
async function inspectorSecretLabel() {
  return driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('inspector_status').then((s) => done(s.secretLabel ?? ''), (e) => done('failed: ' + JSON.stringify(e)));`);
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
    await $('main[data-section="subscriptions"]');
    await $('#sidebar [data-section="subscriptions"][aria-current="page"]');
    // The active connection, its kind and its health (a real check through Rust).
    await $('#connection-badge[data-kind="sandbox"][data-health="ok"]');
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
    // A new subscription had the three events ticked; untick one.
    for (const ev of ['nfe.processada', 'nfe.cancelada', 'nfe.erro']) {
      assert.equal(await (await $(`input[name="events"][value="${ev}"]`)).isSelected(), true, `${ev} preselected`);
    }
    await typeInto('#form-name', 'ERP Filial');
    await (await $('input[name="events"][value="nfe.erro"]')).click();
    await (await $('#form-submit')).click();
    await gone('#subscription-form');
    await row('ERP Filial');
    await driver.wait(
      async () => (await $$('[data-row-name="ERP Filial"] .chip[title="nfe.erro"]')).length === 0,
      WAIT,
      'edited events shown',
    );
    assert.equal((await $$('[data-row-name="ERP Filial"] .chip[title="nfe.cancelada"]')).length, 1);
    assert.equal((await $$('[data-row-name="ERP Matriz"]')).length, 0);
  });

  it('toggles it in place, and the change holds after a refresh (Ctrl+R)', async () => {
    const toggle = await (await row('ERP Filial')).findElement(By.css('[data-action="toggle"]'));
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await toggle.click();
    await driver.wait(async () => (await toggle.getAttribute('aria-checked')) === 'false', WAIT);
    await ctrl('r');
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

  it('reveals the secret in the pane beside the list, masked until asked', async () => {
    const id = await openSubscription(driver, 'ERP Filial');
    await $(`[data-row-name="ERP Filial"][aria-current="true"]`);
    const secret = await $('#secret-value');
    await driver.wait(async () => (await secret.getText()).includes('••••'), WAIT);
    assert.ok((await secret.getText()).endsWith(generated.slice(-4)));
    await (await $('#reveal-secret')).click();
    await driver.wait(async () => (await secret.getText()) === generated, WAIT, 'revealed secret');
    await (await $('#copy-secret')).click();
    assert.match(await textOf('#secret-copied'), /30 s/);
    assert.match(await textOf('#detail-status'), /Inativa/);
    // The selection survives a refresh: the same subscription, loaded again.
    await ctrl('r');
    await $(`#subscription-pane[data-subscription-id="${id}"][data-state="ready"]`);
    await $(`[data-row-name="ERP Filial"][aria-current="true"]`);
  });

  it("the pane's tabs are a tablist: arrow keys select, aria-selected says which", async () => {
    const first = await $('#detail-tab-overview');
    await first.click();
    await driver.executeScript('arguments[0].focus()', first);
    await $('#detail-tab-overview[aria-selected="true"]');
    await driver.actions().sendKeys(Key.ARROW_RIGHT).perform();
    await $('#detail-tab-keys[aria-selected="true"]');
    await $('#detail-panel-keys #chaves-panel');
    assert.equal(await driver.executeScript('return document.activeElement.id'), 'detail-tab-keys');
    for (const tab of ['deliveries', 'test']) {
      await driver.actions().sendKeys(Key.ARROW_RIGHT).perform();
      await $(`#detail-tab-${tab}[aria-selected="true"]`);
      await $(`#detail-panel-${tab}`);
    }
    // Wraps back to the first.
    await driver.actions().sendKeys(Key.ARROW_RIGHT).perform();
    await $('#detail-tab-overview[aria-selected="true"]');
    assert.equal((await $$('[role="tab"][aria-selected="true"]')).length, 1);
  });

  it('Ctrl+1..5 show each section, marked in the sidebar; the sidebar moves with the arrows', async () => {
    const sections = ['subscriptions', 'deliveries', 'inspector', 'keys', 'settings'];
    for (const [i, section] of sections.entries()) {
      await ctrl(String(i + 1));
      await $(`main[data-section="${section}"]`);
      await $(`#sidebar [data-section="${section}"][aria-current="page"]`);
      assert.equal((await $$('#sidebar [aria-current="page"]')).length, 1);
    }
    // Arrow keys move the focus along the nav; Enter opens the focused section.
    const settings = await $('#sidebar [data-section="settings"]');
    await settings.click();
    await driver.executeScript('arguments[0].focus()', settings);
    await driver.actions().sendKeys(Key.ARROW_DOWN).perform();
    assert.equal(await driver.executeScript('return document.activeElement.dataset.section'), 'subscriptions');
    await driver.actions().sendKeys(Key.ARROW_DOWN, Key.ENTER).perform();
    await $('main[data-section="deliveries"]');
    await ctrl('1');
    await $('main[data-section="subscriptions"]');
    // The pane is still there: leaving the section does not lose the selection.
    await $('#subscription-pane[data-state="ready"]');
  });

  it('searches with Ctrl+F and opens the form with Ctrl+N', async () => {
    await ctrl('f');
    const search = await $('#search');
    assert.equal(await driver.executeScript('return document.activeElement.id'), 'search');
    await search.sendKeys('nada parecido');
    await $('#list-no-match');
    await typeInto('#search', 'filial');
    await row('ERP Filial');
    await typeInto('#search', '');
    await ctrl('n');
    await $('#subscription-form');
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await gone('#subscription-form');
  });

  it('deletes it after a confirmation naming it, and the pane that showed it goes', async () => {
    await $('#subscription-pane[data-state="ready"]');
    await (await (await row('ERP Filial')).findElement(By.css('[data-action="delete"]'))).click();
    assert.match(await textOf('#confirm-text'), /“ERP Filial”/);
    await (await $('#confirm-delete')).click();
    await gone('[data-row-name="ERP Filial"]');
    await $('#list-empty');
    await gone('#subscription-pane');
  });

  it('a wrong API key shows its error with a way to the connection settings', async () => {
    await openSettings(driver);
    const sandboxUrl = await textOf('[data-connection="sandbox"] .base-url');
    assert.match(sandboxUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    // Headless Linux has no Secret Service: the app says keys stay in memory.
    await $('#keychain-state[data-storage="memory"]');
    await (await $('#new-connection-kind option[value="custom"]')).click();
    await typeInto('#new-connection-name', 'Chave errada');
    // What is typed in the new connection's form survives a visit to another section.
    await openSection(driver, 'subscriptions');
    await openSettings(driver);
    assert.equal(await (await $('#new-connection-name')).getAttribute('value'), 'Chave errada');
    await typeInto('#new-connection-url', sandboxUrl);
    await typeInto('#new-connection-key', 'chave-invalida-WXYZ');
    await (await $('#add-connection')).click();
    const item = await $('#connections li:nth-child(2)');
    await driver.wait(async () => /…WXYZ/.test(await item.getText()), WAIT, 'last 4 shown');
    const html = await driver.getPageSource();
    assert.ok(!html.includes('chave-invalida'), 'the key never comes back to the webview');
    // The badge names the new connection's kind and says its check fails, with the reason.
    await $('#connection-badge[data-kind="custom"][data-health="failing"]');
    assert.match(await textOf('#connection-health-reason'), /Chave de API ausente ou recusada/);
    await openSection(driver, 'subscriptions');
    const notice = await $('.error-notice[data-kind="unauthorized"]');
    assert.match(await notice.getText(), /Chave de API ausente ou recusada/);
    await $('#keychain-notice');
    await (await notice.findElement(By.css('[data-action="open-connections"]'))).click();
    await $('main[data-section="settings"]');
    await (await $('[data-connection="sandbox"] [data-action="use"]')).click();
    await $('#connection-badge[data-kind="sandbox"][data-health="ok"]');
    assert.ok(!(await driver.getPageSource()).includes('chave-invalida'), 'nor in the health check');
    await ctrl('1');
    await $('#list-empty');
    assert.equal((await $$('.error-notice[data-kind="unauthorized"]')).length, 0);
  });

  it('a dark theme chosen in the settings applies at once, and light goes back', async () => {
    await openSettings(driver);
    await (await $('#theme-select option[value="dark"]')).click();
    await $('html[data-theme="dark"]');
    assert.ok((await backgroundLuminance()) < 0.2, 'dark background');
    await (await $('#theme-select option[value="light"]')).click();
    await $('html[data-theme="light"]');
    assert.ok((await backgroundLuminance()) > 0.8, 'light background');
    await (await $('#theme-select option[value="system"]')).click();
    await $('html[data-theme-choice="system"]');
  });

  it('switches the UI to English', async () => {
    await openSettings(driver);
    const select = await $('#locale-select');
    await select.findElement(By.css('option[value="en"]')).then((o) => o.click());
    await $('html[lang="en"]');
    await openSection(driver, 'subscriptions');
    await driver.wait(async () => /No subscriptions yet/.test(await (await $('#list-empty')).getText()), WAIT);
  });
});

// A valid key of model 55 and number `n`, with its modulo-11 check digit.
function chave(n) {
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

describe('the main journey, with no dialog over a dialog', () => {
  before(() => startApp());
  after(() => stopApp());

  /** At most one dialog is open, ever; outside the form and the secret, none. */
  const noDialog = async () => assert.equal((await $$('[role="dialog"]')).length, 0, 'no dialog is open');

  it('creates a subscription, imports its keys, sends a test event the inspector shows arriving, reads its delivery', async () => {
    await $('#list-empty');
    // The inspector section: a receiver on 127.0.0.1.
    await openInspector(driver);
    await (await $('#inspector-start')).click();
    await $('#inspector-workspace[data-running="true"]');
    const url = await textOf('#inspector-url');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    await noDialog();

    // Create: Ctrl+N opens the form from any section.
    await ctrl('n');
    await $('main[data-section="subscriptions"]');
    await fillForm({ name: 'Jornada', url: `${url}jornada` });
    await (await $('#form-submit')).click();
    await textOf('#generated-secret');
    assert.equal((await $$('[role="dialog"]')).length, 1, 'the secret is shown alone');
    await (await $('#secret-once button.primary')).click();
    await gone('#secret-once');
    const id = await (await row('Jornada')).getAttribute('data-id');

    // The inspector checks what arrives with this subscription's secret (fetched in Rust).
    await openInspector(driver);
    await (await $('#inspector-secret-kind option[value="subscription"]')).click();
    await (await $(`#inspector-secret-sub option[value="${id}"]`)).click();
    await (await $('#inspector-secret-apply')).click();
    await driver.wait(async () => (await $('#inspector-secret-sub')).getAttribute('value').then((v) => v === id), WAIT, 'subscription chosen');
    await driver.wait(async () => /Jornada/.test(await inspectorSecretLabel()), WAIT, 'secret applied');

    // Its keys, by bulk import, in the pane's Chaves de NF-e tab.
    await openSubscriptionTab(driver, 'Jornada', 'keys');
    await (await $('#open-bulk-import')).click();
    const area = await $('#detail-panel-keys #import-pane #import-text');
    await driver.executeScript(
      'arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));',
      area,
      [chave(11), chave(12), 'sem chave aqui'].join('\n'),
    );
    await clickInView('#import-preview');
    await $('#import-rows');
    await clickInView('#import-start');
    await $('#import-summary[data-state]');
    await driver.wait(async () => (await $$('#import-results tbody tr[data-state="added"]')).length === 2, WAIT, 'two keys added');
    await noDialog();
    await clickInView('#import-pane .actions button.primary');
    for (const n of [11, 12]) await $(`#chaves-list li[data-chave="${chave(n)}"]`);

    // Testar: the event goes through the sandbox's dispatcher to the inspector.
    await openSubscriptionTab(driver, 'Jornada', 'test');
    await $(`#test-event-pane[data-subscription-id="${id}"][data-drafted="true"]`);
    await (await $('#test-event-kind option[value="nfe.processada"]')).click();
    await $('#test-event-body-state[data-state="ok"]');
    const send = await $('#test-event-send');
    await driver.wait(() => send.isEnabled(), WAIT, 'send enabled');
    await clickInView('#test-event-send');
    const attempt = await $('#test-event-result #test-event-attempt');
    assert.equal(await attempt.getAttribute('data-code'), '200');
    await noDialog();
    // The inspector, its own section, received it while the Testar tab was shown.
    await clickInView('#test-event-show-inspector');
    await $('main[data-section="inspector"]');
    const arrived = await $('#inspector-requests button[data-verdict="valid"][data-event="nfe.processada"]');
    await arrived.click();
    await $('#inspector-verdict[data-state="valid"]');
    assert.match(await (await $("#inspector-detail")).getText(), new RegExp(`${chave(11)}|${chave(12)}`));

    // Entregas: the delivery and its first attempt, answered 200 by the inspector.
    await openSubscriptionTab(driver, 'Jornada', 'deliveries');
    await $(`#deliveries-pane[data-subscription-id="${id}"][data-state="ready"]`);
    const delivered = await $('#deliveries-list li[data-status="delivered"]');
    await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', delivered);
    await (await delivered.findElement(By.css('[data-action="open"]'))).click();
    await $('#delivery-timeline li[data-attempt="1"][data-code="200"]');
    await noDialog();
  });
});

describe('screenshots of every main view, light and dark, pt-BR and English', () => {
  // With the app's default rendering (no GPU compositing, src-tauri/src/webview.rs) each of
  // WebKitWebDriver's screenshots took about 17 s (the tour: 605 s against 14 s); the pictures
  // are taken with WebKit's own rendering, the same pages drawn by its compositor.
  before(() => startApp({ NFEHOOK_GPU: '1' }));
  after(() => stopApp());

  const SECTIONS = ['subscriptions', 'deliveries', 'inspector', 'keys', 'settings'];
  const TABS = ['overview', 'keys', 'deliveries', 'test'];
  // What each view shows once it has loaded, so no picture is of a view still loading.
  const READY = {
    deliveries: '#deliveries-pane[data-state="ready"] #deliveries-list li',
    inspector: '#inspector-requests li',
    keys: '#keys-workspace',
    settings: '#settings-view',
    overview: '#secret-value',
    'tab-keys': '#chaves-panel',
    'tab-deliveries': '#deliveries-pane[data-state="ready"] #deliveries-list li',
    test: '#test-event-pane[data-drafted="true"]',
  };

  it('saves each section and each tab of the subscription pane as a real picture', async () => {
    await $('#list-empty');
    for (const [name, url] of [
      ['ERP Matriz', 'https://erp.example.com/webhooks/nfe'],
      ['Loja Online', 'https://loja.example.com/hooks/validanfe'],
      ['Financeiro (homologação)', 'http://127.0.0.1:9/financeiro'],
    ]) {
      await (await $('#new-subscription')).click();
      await fillForm({ name, url });
      await (await $('#form-submit')).click();
      await (await $('#secret-once button.primary')).click();
      await gone('#secret-once');
      await row(name);
    }
    // Something to show: the inspector running, a subscription pointing at it, one test event
    // received and delivered.
    await openInspector(driver);
    await (await $('#inspector-start')).click();
    await (await $('#inspector-subscribe')).click();
    await driver.wait(async () => /Inspetor local/.test(await inspectorSecretLabel()), WAIT, 'secret applied');
    await openSection(driver, 'subscriptions');
    const shown = await (await $('[data-row-name^="Inspetor local"]')).getAttribute('data-row-name');
    await openSubscriptionTab(driver, shown, 'test');
    await $('#test-event-pane[data-drafted="true"]');
    const send = await $('#test-event-send');
    await driver.wait(() => send.isEnabled(), WAIT, 'send enabled');
    await clickInView('#test-event-send');
    assert.equal(await (await $('#test-event-result #test-event-attempt')).getAttribute('data-code'), '200');
    const saved = [];
    for (const locale of ['pt-BR', 'en']) {
      for (const theme of ['light', 'dark']) {
        await openSettings(driver);
        await (await $(`#locale-select option[value="${locale}"]`)).click();
        await (await $(`#theme-select option[value="${theme}"]`)).click();
        await $(`html[lang="${locale}"][data-theme="${theme}"]`);
        for (const section of SECTIONS) {
          await openSection(driver, section);
          if (section === 'subscriptions') {
            for (const tab of TABS) {
              await openSubscriptionTab(driver, shown, tab);
              await $(READY[`tab-${tab}`] ?? READY[tab]);
              saved.push(await screenshot(`subscriptions-${tab}-${locale}-${theme}`));
            }
          } else {
            await $(READY[section]);
            saved.push(await screenshot(`${section}-${locale}-${theme}`));
          }
        }
      }
    }
    assert.equal(saved.length, 2 * 2 * (SECTIONS.length - 1 + TABS.length));
  });
});

describe('NFeHook desktop follows a dark system theme', () => {
  before(() => startApp({ GTK_THEME: 'Adwaita:dark' }));
  after(() => stopApp());

  it('renders dark', async () => {
    await $('#list-empty');
    await $('html[data-theme="dark"][data-theme-choice="system"]');
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
    await openSettings(driver);
    await (await $('#new-connection-kind option[value="custom"]')).click();
    await typeInto('#new-connection-name', 'Limitado');
    await typeInto('#new-connection-url', base);
    await typeInto('#new-connection-key', 'e2e-key-RATE');
    await (await $('#add-connection')).click();
    await $('#connection-badge[data-kind="custom"]');
    await openSection(driver, 'subscriptions');
    const refresh = async () => {
      await driver.wait(async () => (await (await $('#refresh')).isEnabled()), WAIT);
      await ctrl('r');
    };
    // The switch listed once and the connection's health check once; one more list uses up
    // the window.
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
