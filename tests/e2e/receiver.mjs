// The receiver a ValidaNFe customer would write: Express + `nfehook/express`, deduplicating
// by event id. Used by the end-to-end suite (tests/suites/e2e.rs).
//
// Env: PORT (0 = any free port), WEBHOOK_SECRET, SLOW_FIRST_ERRO_MS (the first delivery of
// each `nfe.erro` event is answered only after this many ms, so a sender with a shorter
// timeout retries it and the retry is a duplicate; 0 = never slow).
// Prints `receiver listening on <port>` when ready, then one JSON line per request answered
// (path, status, verdict, id). Never prints bodies, headers or the secret.
import express from 'express';
import { DuplicateGuard } from 'nfehook';
import { webhookMiddleware } from 'nfehook/express';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('receiver: WEBHOOK_SECRET is required');
  process.exit(2);
}
const slowMs = Number(process.env.SLOW_FIRST_ERRO_MS ?? 0);
const port = Number(process.env.PORT ?? 0);

const accepted = [];
const answers = [];
const slowed = new Set();
const dedupe = new DuplicateGuard();
const verify = webhookMiddleware({ secret, dedupe });

const app = express();

// One line per answer: what a receiver would log, without bodies or headers.
app.use((req, res, next) => {
  // 'close' fires for every answer, also one whose sender stopped waiting (timed out).
  res.once('close', () => {
    const verdict = res.locals.accepted
      ? 'accepted'
      : res.statusCode === 200 && req.path.startsWith('/webhooks/')
        ? 'duplicate'
        : res.statusCode >= 400
          ? 'rejected'
          : 'other';
    const line = {
      path: req.path,
      status: res.statusCode,
      verdict,
      id: req.nfehookEvent?.id ?? null,
      senderWaited: res.writableFinished,
    };
    if (req.path.startsWith('/webhooks/')) answers.push(line);
    console.log(JSON.stringify(line));
  });
  next();
});

app.post('/webhooks/:name', verify, async (req, res) => {
  const event = req.nfehookEvent;
  if (event.event === 'nfe.erro' && slowMs > 0 && !slowed.has(event.id)) {
    slowed.add(event.id);
    await new Promise((resolve) => setTimeout(resolve, slowMs));
  }
  accepted.push({ path: req.path, id: event.id, event: event.event, nfeChave: event.data.nfeChave });
  res.locals.accepted = true;
  res.status(200).json({ received: true });
});

// What this receiver accepted and answered, for the test to compare with the sandbox.
app.get('/_received', (_req, res) => {
  res.json({ accepted, answers });
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`receiver listening on ${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
