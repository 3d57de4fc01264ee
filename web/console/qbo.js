// The QBO status panel: connection and mode; errors, drift and pending with retry; parity with repair; re-sync with
// live progress; disconnect (staff, confirmed); the legacy overpayment memo list (staff).
import { useEffect, useState } from "preact/hooks";
import { api, get, post } from "./api.js";
import {
  html, useMe, useLoad, useAction, Loading, ErrorBox, Dialog, Field, Money, Status, label, when, can, customerName,
} from "./ui.js";

const RESYNC_KEY = "credits-console-resync";

export function QboPage() {
  const ctx = useMe();
  const status = useLoad(() => get("/qbo/status"), []);
  const connect = useAction();
  useEffect(() => { // back from the consent tab: show where the connection stands now
    const again = () => status.reload();
    window.addEventListener("focus", again);
    return () => window.removeEventListener("focus", again);
  }, [status.reload]);
  const startConnect = () => connect.act(async () => {
    const { authorization_url } = await post("/qbo/connect", {});
    window.open(authorization_url, "_blank", "noopener");
  });
  const integration = can(ctx.me, "manage_integration");
  return html`<section aria-labelledby="qbo-title">
    <div class="title-row"><h1 id="qbo-title">QuickBooks Online</h1>
      <button type="button" class="secondary" onClick=${() => status.reload()}>Refresh</button></div>
    <${Loading} state=${status}>${(s) => html`
      <dl class="facts" aria-label="Connection">
        <dt>Connection</dt><dd data-testid="qbo-connection">${s.connected ? "Connected" : "Not connected"}</dd>
        <dt>Company (realm)</dt><dd>${s.realm_id || "—"}</dd>
        <dt>Sync mode</dt><dd><${Status} value=${s.sync_mode} /></dd>
        <dt>Pending</dt><dd data-testid="qbo-pending">${s.pending}</dd>
        <dt>Last push</dt><dd>${when(s.last_push_at) || "—"}</dd><dt>Last pull</dt><dd>${when(s.last_pull_at) || "—"}</dd>
      </dl>
      ${!s.connected && integration && html`<p><button type="button" onClick=${startConnect} disabled=${connect.busy}>Connect QuickBooks</button>
        <small> Opens QuickBooks' consent page in a new tab; come back here when it says connected.</small></p>`}
      <${ErrorBox} error=${connect.error} />
      <${SyncErrors} errors=${s.errors} canRetry=${integration} onChange=${() => status.reload()} />
      ${s.connected && integration && ctx.me.sees_credits && html`<${Parity} onChange=${() => status.reload()} />`}
      ${ctx.me.staff && html`<${Resync} connected=${s.connected} />`}
      ${ctx.me.staff && (s.connected || s.sync_mode === "paused") && html`<${Disconnect} status=${s} onDone=${() => status.reload()} />`}
      ${ctx.me.staff && html`<${LegacyMemos} />`}
    `}</${Loading}>
  </section>`;
}

function SyncErrors({ errors, canRetry, onChange }) {
  const action = useAction();
  const [outcome, setOutcome] = useState(null);
  const retry = (e) => action.act(async () => {
    const answer = await post(`/qbo/objects/${e.object_type}/${encodeURIComponent(e.object_id)}/retry`, {});
    setOutcome(answer);
    onChange();
  });
  return html`<section aria-labelledby="sync-errors-title"><h2 id="sync-errors-title">Errors and drift</h2>
    ${outcome && html`<p role="status">${label(outcome.object_type)} ${outcome.number || outcome.object_id}: ${outcome.outcome}${outcome.qbo_id ? `, QB ID ${outcome.qbo_id}` : ""}${outcome.message ? ` (${outcome.message})` : ""}</p>`}
    <${ErrorBox} error=${action.error} />
    ${errors.length === 0 ? html`<p class="muted">Nothing is parked: every change reached QuickBooks or is on its way.</p>` : html`<table>
      <caption class="visually-hidden">Objects QuickBooks refused or that differ</caption>
      <thead><tr><th scope="col">Object</th><th scope="col">Number</th><th scope="col">Code</th><th scope="col">Message</th>
        <th scope="col">When</th><th scope="col" class="num">Attempts</th>${canRetry && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
      <tbody>${errors.map((e) => html`<tr class=${e.code === "drift" ? "drift" : ""}><td>${e.object_type}</td><td>${e.number || e.object_id}</td><td><code>${e.code || ""}</code></td>
        <td>${e.message}</td><td>${when(e.at)}</td><td class="num">${e.attempts}</td>
        ${canRetry && html`<td><button type="button" class="secondary" disabled=${action.busy} aria-label=${`Retry ${e.object_type} ${e.number || e.object_id}`} onClick=${() => retry(e)}>Retry</button></td>`}</tr>`)}</tbody></table>`}
  </section>`;
}

function Parity({ onChange }) {
  const ctx = useMe();
  const [report, setReport] = useState(null);
  const [result, setResult] = useState(null);
  const action = useAction();
  const check = (fresh) => action.act(async () => {
    let answer = await get("/qbo/parity" + (fresh ? "?fresh=true" : ""));
    while (answer.status === "running") { // a large account is checked in the background: ask again
      setReport(answer);
      await new Promise((r) => setTimeout(r, 1000));
      answer = await get("/qbo/parity");
    }
    setReport(answer);
  });
  const repair = () => action.act(async () => {
    setResult(await post("/qbo/parity/repair", {}));
    setReport(await get("/qbo/parity?fresh=true"));
    onChange();
  });
  const diffs = report ? report.differences : [];
  return html`<section aria-labelledby="parity-title"><h2 id="parity-title">Parity with QuickBooks</h2>
    <div class="actions"><button type="button" class="secondary" disabled=${action.busy} onClick=${() => check(true)}>Check parity</button>
      ${diffs.some((d) => d.repair.automatic) && html`<button type="button" disabled=${action.busy} onClick=${repair}>Repair differences</button>`}</div>
    <${ErrorBox} error=${action.error} />
    ${result && html`<p role="status">Repaired ${result.repaired.length}, refused ${result.refused.length}, failed ${result.failed.length}.</p>`}
    ${report && (diffs.length === 0 ? html`<p data-testid="parity-clean">No differences: the books match (checked ${when(report.checked_at)}).</p>` : html`<table>
      <caption>Differences (checked ${when(report.checked_at)})</caption>
      <thead><tr><th scope="col">Kind</th><th scope="col">Object</th><th scope="col">QuickBooks</th><th scope="col" class="num">Ours</th>
        <th scope="col" class="num">Theirs</th><th scope="col">Repair</th></tr></thead>
      <tbody>${diffs.map((d) => html`<tr><td>${d.kind.replaceAll("_", " ")}</td>
        <td>${d.object_type || ""} ${d.object_type === "customer" ? customerName(ctx, d.object_id) : d.object_id || ""}</td>
        <td>${d.qbo_type || ""} ${d.qbo_id || ""}</td><td class="num"><${Money} value=${d.ours} /></td><td class="num"><${Money} value=${d.theirs} /></td>
        <td>${d.repair.action.replaceAll("_", " ")}${d.repair.automatic ? "" : " (by hand)"}: <small>${d.repair.why}</small></td></tr>`)}</tbody></table>`)}
  </section>`;
}

function Resync({ connected }) {
  const [job, setJob] = useState(null);
  const action = useAction();
  useEffect(() => { // follow the re-sync this tab started, also after a reload
    const id = job ? job.id : sessionStorage.getItem(RESYNC_KEY);
    if (!id || (job && job.status !== "running")) return undefined;
    const timer = setTimeout(() => get(`/qbo/resyncs/${id}`).then(setJob, action.setError), job ? 1000 : 0);
    return () => clearTimeout(timer);
  }, [job]);
  const start = () => action.act(async () => {
    const started = await post("/qbo/resyncs", {});
    sessionStorage.setItem(RESYNC_KEY, started.id);
    setJob(started);
  });
  return html`<section aria-labelledby="resync-title"><h2 id="resync-title">Mass re-sync</h2>
    <p><small>Pushes every open document to the connected company again (after a hard disconnect and reconnect).</small></p>
    <button type="button" disabled=${action.busy || !connected || (job && job.status === "running")} onClick=${start}>Start re-sync</button>
    <${ErrorBox} error=${action.error} />
    ${job && html`<div class="progress">
      <label for="resync-progress">Re-sync progress</label>
      <progress id="resync-progress" max=${job.total || 1} value=${job.done}>${job.done} of ${job.total}</progress>
      <p role="status" data-testid="resync-status">${label(job.status)}: ${job.done} of ${job.total} done, ${job.failed} failed</p>
      ${job.errors && job.errors.length > 0 && html`<ul>${job.errors.map((e) => html`<li>${e.object_type} ${e.object_id}: ${e.message}</li>`)}</ul>`}
    </div>`}
  </section>`;
}

function Disconnect({ status, onDone }) {
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState("soft");
  const [typed, setTyped] = useState("");
  const ctx = useMe();
  const action = useAction();
  const confirmText = ctx.me.account_id;
  const submit = (e) => { e.preventDefault(); action.act(async () => { await post("/qbo/disconnect", { mode }); setOpen(false); onDone(); }); };
  return html`<section aria-labelledby="disconnect-title"><h2 id="disconnect-title">Disconnect</h2>
    <button type="button" class="danger" onClick=${() => setOpen(true)}>Disconnect QuickBooks…</button>
    ${open && html`<${Dialog} title="Disconnect QuickBooks" onClose=${() => setOpen(false)}><form onSubmit=${submit}>
      <p>Company ${status.realm_id}.</p>
      <fieldset><legend>Kind of disconnect</legend>
        <label class="choice"><input type="radio" name="disconnect-mode" checked=${mode === "soft"} onChange=${() => setMode("soft")} /> <span><strong>Soft</strong>: keep every QB ID; reconnect to the same company later (changes wait).</span></label>
        <label class="choice"><input type="radio" name="disconnect-mode" checked=${mode === "hard"} onChange=${() => setMode("hard")} /> <span><strong>Hard</strong>: clear every QB ID, for another company; nothing re-syncs by itself.</span></label>
      </fieldset>
      ${mode === "hard" && html`<${Field} label=${`Type the account id (${confirmText}) to confirm`}><input value=${typed} onInput=${(e) => setTyped(e.target.value)} /></${Field}>`}
      <${ErrorBox} error=${action.error} />
      <div class="actions"><button type="submit" class="danger" disabled=${action.busy || (mode === "hard" && typed !== confirmText)}>Disconnect</button>
        <button type="button" class="secondary" onClick=${() => setOpen(false)}>Stay connected</button></div>
    </form></${Dialog}>`}
  </section>`;
}

function LegacyMemos() {
  const state = useLoad(() => get("/qbo/legacy-overpayment-credit-memos"), []);
  const action = useAction();
  const exportCsv = () => action.act(async () => {
    const blob = await api("GET", "/qbo/legacy-overpayment-credit-memos", { accept: "text/csv" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "legacy-overpayment-credit-memos.csv";
    link.click();
  });
  return html`<section aria-labelledby="legacy-title"><h2 id="legacy-title">Legacy overpayment credit memos</h2>
    <p><small>Overpayment credits that reached QuickBooks as Credit Memos before February 25, 2026.</small></p>
    <button type="button" class="secondary" onClick=${exportCsv} disabled=${action.busy}>Export CSV</button>
    <${ErrorBox} error=${action.error} />
    <${Loading} state=${state}>${(page) => (page.data.length === 0 ? html`<p class="muted">None on this account.</p>` : html`<table>
      <caption class="visually-hidden">Legacy overpayment credit memos</caption>
      <thead><tr><th scope="col">Credit Number</th><th scope="col">Customer</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Remaining</th>
        <th scope="col">QBO CreditMemo ID</th><th scope="col">Synced At</th><th scope="col">Repaired At</th></tr></thead>
      <tbody>${page.data.map((r) => html`<tr><td>${r.credit_number}</td><td>${r.customer_name || r.customer_id}</td><td class="num"><${Money} value=${r.amount} /></td>
        <td class="num"><${Money} value=${r.remaining} /></td><td>${r.qbo_credit_memo_id}</td><td>${when(r.synced_at)}</td><td>${when(r.repaired_at) || "—"}</td></tr>`)}</tbody></table>`)}</${Loading}>
  </section>`;
}
