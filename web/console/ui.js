// Small shared pieces: the html tag, async loading, error display, dialogs, labels as the guide names them.
import { h, createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);
export const Me = createContext(null); // {me: GET /me, settings, customers: Map id -> name, reloadCustomers}

export const useMe = () => useContext(Me);

export const LABELS = {
  manual: "Manual", return: "Return", overpayment: "Overpayment", invoice_adjustment: "Invoice adjustment", qbo: "QuickBooks",
  active: "Active", canceled: "Canceled", deleted: "Deleted", voided: "Voided",
  unpaid: "Unpaid", partially_paid: "Partially Paid", fully_paid: "Fully Paid",
  not_synced: "Not synced", pending: "Pending", synced: "Synced", error: "Error", drift: "Drift",
  cash: "Cash", check: "Check", transfer: "Transfer",
  two_way: "Two-way", one_way: "One-way", paused: "Paused", off: "Off",
  running: "Running", done: "Done", failed: "Failed",
};
export const label = (value) => (value == null ? "" : LABELS[value] || String(value));

export function can(me, permission) {
  return Boolean(me && (me.staff || me.permissions.includes(permission)));
}

// Money exactly as the API wrote it ("120.00"), with a currency sign: never parsed, never added up here.
export const Money = ({ value }) => (value == null ? html`<span class="muted">—</span>` : html`<span class="money">$${value}</span>`);

export const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC") : "");

// Load with `loader` whenever `deps` change; {data, error, loading, reload}.
export function useLoad(loader, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const run = useCallback(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loader().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

// A button's action with its own busy flag and error: the API's message is shown as it came.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const act = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, act, setError };
}

export const ErrorBox = ({ error }) =>
  error ? html`<p class="error" role="alert">${error.message}${error.code ? html` <code>${error.code}</code>` : ""}</p>` : null;

export function Loading({ state, children }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<p class="muted" role="status">Loading…</p>`;
  return children(state.data);
}

// A modal <dialog>: the browser traps focus, Escape closes it; named by its heading.
export function Dialog({ title, onClose, children, wide }) {
  const ref = useRef(null);
  const id = "dlg-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    const cancel = (e) => { e.preventDefault(); onClose(); };
    dialog.addEventListener("cancel", cancel);
    return () => dialog.removeEventListener("cancel", cancel);
  }, []);
  return html`<dialog ref=${ref} class=${wide ? "wide" : ""} aria-labelledby=${id}>
    <header class="dialog-head"><h2 id=${id}>${title}</h2>
      <button type="button" class="plain" aria-label="Dismiss" onClick=${onClose}>×</button></header>
    ${children}
  </dialog>`;
}

export const Field = ({ label: text, children, hint }) => html`<label class="field"><span>${text}</span>${children}${hint ? html`<small>${hint}</small>` : ""}</label>`;

export const Status = ({ value }) => html`<span class=${"badge " + (value || "")}>${label(value)}</span>`;

// An object's sync state as the API gives it: the badge, then what failed or, for drift, what differs (ours and
// QuickBooks'), each styled by its status so drift never reads as an error.
export const SyncState = ({ status, error }) => html`<${Status} value=${status} />${error
  ? html`<small class=${"sync-detail sync-" + (status || "")}>${error}</small>` : ""}`;

export function customerName(ctx, id) {
  return (ctx.customers && ctx.customers.get(id)) || id;
}

export const Link = ({ to, children, ...rest }) => html`<a href=${"#" + to} ...${rest}>${children}</a>`;

// A screen whose module (and its libraries) is fetched the first time it is shown.
export function lazy(load, name) {
  let Loaded = null;
  return function LazyScreen(props) {
    const [, setReady] = useState(false);
    const [error, setError] = useState(null);
    useEffect(() => { if (!Loaded) load().then((m) => { Loaded = m[name]; setReady(true); }, setError); }, []);
    if (error) return html`<${ErrorBox} error=${error} />`;
    return Loaded ? h(Loaded, props) : html`<p class="muted" role="status">Loading…</p>`;
  };
}
