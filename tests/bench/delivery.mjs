// Delivery throughput of the sandbox: SUBS subscriptions on one local receiver (the e2e
// receiver: Express + the nfehook npm package, verifying every signature), EVENTS events
// triggered, timed from the first trigger until the receiver has accepted every delivery.
// A measurement, not a test. Prints one JSON line.
//
// Env: SANDBOX_URL, API_KEY, RECEIVER_URL, WEBHOOK_SECRET, SUBS (10), EVENTS (300).
const { SANDBOX_URL, API_KEY, RECEIVER_URL, WEBHOOK_SECRET } = process.env;
const SUBS = Number(process.env.SUBS ?? 10);
const EVENTS = Number(process.env.EVENTS ?? 300);
const IN_FLIGHT = 8;

async function api(method, path, body) {
  const response = await fetch(`${SANDBOX_URL}${path}`, {
    method,
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!answer.success) throw new Error(`${method} ${path}: ${response.status} ${answer.message}`);
  return answer.data;
}

for (let i = 0; i < SUBS; i++) {
  await api('POST', '/Webhooks/Subscriptions', {
    name: `bench ${i}`,
    url: `${RECEIVER_URL}/webhooks/s${i}`,
    events: ['nfe.processada'],
    secret: WEBHOOK_SECRET,
  });
}

const expected = SUBS * EVENTS;
const started = performance.now();
let next = 0;
async function worker() {
  while (next < EVENTS) {
    next += 1;
    await api('POST', '/_sandbox/events', { event: 'nfe.processada' });
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
const triggered = performance.now();

let accepted = 0;
let ids = new Set();
const deadline = started + 300_000;
while (performance.now() < deadline) {
  const received = await (await fetch(`${RECEIVER_URL}/_received`)).json();
  accepted = received.accepted.length;
  if (accepted >= expected) {
    ids = new Set(received.accepted.map((a) => a.id));
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const done = performance.now();
if (accepted < expected) throw new Error(`only ${accepted} of ${expected} deliveries arrived`);
const seconds = (done - started) / 1000;
console.log(JSON.stringify({
  subscriptions: SUBS,
  events: EVENTS,
  deliveries: expected,
  distinctIds: ids.size,
  seconds,
  deliveriesPerSecond: expected / seconds,
  triggerSeconds: (triggered - started) / 1000,
  triggersPerSecond: EVENTS / ((triggered - started) / 1000),
}));
