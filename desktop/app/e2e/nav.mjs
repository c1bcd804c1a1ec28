// How the WebDriver suites reach each view, in one place: the tests say where they want to be
// ("the inspector", "this subscription's deliveries"), this file knows how the UI gets there.
// A new layout re-implements these functions; the tests stay as they are.
//
// Each function returns once the view is there and ready, waiting on machine-readable
// attributes (`data-section`, `aria-current`, `aria-selected`, `data-state`,
// `data-subscription-id`), never on rendered text, which CSS (`text-transform`) or a pane still
// loading can change.
//
// This implementation: the shell's sidebar sections (Assinaturas, Entregas, Inspetor, Chaves,
// Configurações); Assinaturas is the list with the selected subscription's pane beside it, in
// tabs (overview, keys, deliveries, test).
import { By, until } from 'selenium-webdriver';

const WAIT = 20_000;

const find = (driver, css) => driver.wait(until.elementLocated(By.css(css)), WAIT, `waiting for ${css}`);

/** Shows a sidebar section (subscriptions, deliveries, inspector, keys, settings). */
export async function openSection(driver, section) {
  await (await find(driver, `#sidebar [data-section="${section}"]`)).click();
  await find(driver, `main[data-section="${section}"]`);
  await find(driver, `#sidebar [data-section="${section}"][aria-current="page"]`);
}

/** The subscriptions list (with the selected subscription's pane, if any, beside it). */
export async function openSubscriptions(driver) {
  await openSection(driver, 'subscriptions');
  await find(driver, '#list-count');
}

/** The inspector workspace. */
export async function openInspector(driver) {
  await openSection(driver, 'inspector');
  return find(driver, '#inspector-workspace');
}

/** The deliveries of every webhook. */
export async function openDeliveries(driver) {
  await openSection(driver, 'deliveries');
  return find(driver, '#deliveries-pane[data-subscription-id=""]:not([data-state="loading"])');
}

/** The keys workspace (validate keys with no subscription). */
export async function openKeys(driver) {
  await openSection(driver, 'keys');
  return find(driver, '#keys-workspace');
}

/** Configurações: connections, language, theme, keychain. */
export async function openSettings(driver) {
  await openSection(driver, 'settings');
  return find(driver, '#settings-view');
}

/** The connections (and, on the sandbox, its account webhook): part of Configurações. */
export async function openConnections(driver) {
  await openSettings(driver);
  return find(driver, '#connections');
}

/**
 * Selects the subscription named `name` in the list and waits until the pane beside it shows
 * that one, loaded. Returns its id.
 */
export async function openSubscription(driver, name) {
  await openSubscriptions(driver);
  const row = await find(driver, `[data-row-name="${name}"]`);
  const id = await row.getAttribute('data-id');
  await (await row.findElement(By.css('[data-action="open"]'))).click();
  await find(driver, `#subscription-pane[data-subscription-id="${id}"][data-state="ready"]`);
  return id;
}

/** What each tab of the pane shows once it is ready for the subscription `id`. */
const TAB_READY = {
  overview: () => '#secret-value',
  keys: (id) => `#chaves-panel[data-subscription-id="${id}"]`,
  deliveries: (id) => `#deliveries-pane[data-subscription-id="${id}"]:not([data-state="loading"])`,
  test: (id) => `#test-event-pane[data-subscription-id="${id}"][data-drafted="true"]`,
};

/** One tab of the subscription's pane: `overview`, `keys`, `deliveries` or `test`; returns the
 *  subscription's id. */
export async function openSubscriptionTab(driver, name, tab) {
  if (!(tab in TAB_READY)) throw new Error(`no tab ${tab}`);
  const id = await openSubscription(driver, name);
  await (await find(driver, `#detail-tab-${tab}`)).click();
  await find(driver, `#detail-tab-${tab}[aria-selected="true"]`);
  await find(driver, `#detail-panel-${tab} ${TAB_READY[tab](id)}`);
  return id;
}
