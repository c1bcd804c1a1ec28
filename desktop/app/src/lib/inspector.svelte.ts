// The inspector's live state, held by the module rather than by a view: the watch on the
// receiver starts once and keeps filling the list while another section is shown (the view may
// be unmounted), so a request that arrives meanwhile is there when the user comes back.
import { tools, type InspectorEvent, type InspectorStatus, type RecordedRequest, type ResponseConfig } from './tools';
import { withRequest } from './requests';

// Nothing is listed before the status says how many requests the receiver keeps.
const STOPPED: InspectorStatus = { running: false, url: null, port: null, response: null, secretLabel: null, kept: 0 };

export const inspector = $state({
  status: { ...STOPPED } as InspectorStatus,
  requests: [] as RecordedRequest[],
  loaded: false,
  /** A request another view asked the inspector to open when it is next shown. */
  focus: null as number | null,
});

/** Asks the inspector to open this request when it is next shown. */
export function focusRequest(id: number): void {
  inspector.focus = id;
}

/** The request asked to be opened, once (the ask is then forgotten). */
export function takeFocus(): number | null {
  const id = inspector.focus;
  inspector.focus = null;
  return id;
}

function onEvent(e: InspectorEvent) {
  if (e.type === 'cleared') inspector.requests = [];
  else inspector.requests = withRequest(inspector.requests, e.request, inspector.status.kept);
}

/** The receiver forwards to one watcher; this one lives as long as the app. */
async function watch() {
  if (inspector.status.running) await tools.inspectorWatch(onEvent);
}

let loading: Promise<void> | null = null;

/** Reads the status and the kept requests once, and watches when the receiver runs; later
 *  calls return at once (the watch keeps the list current). */
export function loadInspector(): Promise<void> {
  loading ??= (async () => {
    try {
      inspector.status = await tools.inspectorStatus();
      await watch();
      inspector.requests = (await tools.inspectorRequests()).slice(0, inspector.status.kept);
      inspector.loaded = true;
    } catch (e) {
      // Let a later call try again.
      loading = null;
      throw e;
    }
  })();
  return loading;
}

/** Back to the state at start: no status, no list, nothing loaded (each test of a view starts
 *  from a fresh module, as the app does). */
export function resetInspectorForTests(): void {
  inspector.status = { ...STOPPED };
  inspector.requests = [];
  inspector.loaded = false;
  inspector.focus = null;
  loading = null;
}

export async function startInspector(port: number | null, response: ResponseConfig): Promise<void> {
  inspector.status = await tools.inspectorStart(port, response);
  await watch();
}

export async function stopInspector(): Promise<void> {
  await tools.inspectorStop();
  inspector.status = await tools.inspectorStatus();
}

export async function refreshStatus(): Promise<void> {
  inspector.status = await tools.inspectorStatus();
}

export async function clearRequests(): Promise<void> {
  await tools.inspectorClear();
  inspector.requests = [];
}

