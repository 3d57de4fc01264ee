// The QBO status panel: connection and mode (one-way says what it leaves out); errors, drift and waits, each saying
// whether the engine retries it on its own and when, with Retry where a person must act; dead letters; parity with
// repair; re-sync and the switch to two-way credit sync with live progress; disconnect (staff, confirmed); the
// legacy overpayment memo list (staff).
import { useEffect, useState } from "preact/hooks";
import { api, get, post } from "./api.js";
import {
  html, useMe, useLoad, useAction, Loading, ErrorBox, Dialog, Field, Money, Status, Link, label, when, can, customerName,
} from "./ui.js";
import { useJob, JobProgress, RESYNC_JOB, CREDIT_SYNC_JOB } from "./jobs.js";
import { CreditRef } from "./credits.js";

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
        <dt>Sync mode</dt><dd data-testid="qbo-mode"><${Status} value=${s.sync_mode} /></dd>
        <dt>Pending</dt><dd data-testid="qbo-pending">${s.pending}</dd>
        <dt>Last push</dt><dd>${when(s.last_push_at) || "—"}</dd><dt>Last pull</dt><dd>${when(s.last_pull_at) || "—"}</dd>
      </dl>
      <${ModeNote} status=${s} />
      ${!s.connected && integration && html`<p><button type="button" onClick=${startConnect} disabled=${connect.busy}>Connect QuickBooks</button>
        <small> Opens QuickBooks' consent page in a new tab; come back here when it says connected.</small></p>`}
      <${ErrorBox} error=${connect.error} />
      ${ctx.me.staff && html`<${CreditSyncJob} onEnd=${() => status.reload()} />`}
      <${SyncErrors} errors=${s.errors} canRetry=${integration} onChange=${() => status.reload()} />
      <${DeadLetters} letters=${s.dead_letters || []} />
      ${s.connected && integration && ctx.me.sees_credits && html`<${Parity} onChange=${() => status.reload()} />`}
      ${ctx.me.staff && html`<${Resync} connected=${s.connected} />`}
      ${ctx.me.staff && (s.connected || s.sync_mode === "paused") && html`<${Disconnect} status=${s} onDone=${() => status.reload()} />`}
      ${ctx.me.staff && html`<${LegacyMemos} />`}
    `}</${Loading}>
  </section>`;
}

// What the mode leaves out, as the API words it (one-way), and how many invoices QuickBooks shows open for credits.
function ModeNote({ status }) {
  const ctx = useMe();
  if (!status.note) return null;
  const open = status.invoices_open_for_credits;
  return html`<div class="note mode-note" role="note" aria-label="Sync mode">
    <p>${status.note}</p>
    ${ctx.me.sees_credits && open > 0 && html`<p>${open} invoice${open === 1 ? " is" : "s are"} paid partly by credits: QuickBooks shows that part open until two-way credit sync pushes the uses.</p>`}
    ${ctx.me.staff ? html`<p><${Link} to="/settings">Switch two-way credit sync on in Settings</${Link}>.</p>`
      : html`<p>Two-way credit sync is switched on by a Distru teammate: ask your Customer Success Manager or support.</p>`}
  </div>`;
}

// The switch to two-way credit sync started from Settings in this tab: its progress while it runs (and its end, when
// this panel saw it running); the panel reads its status again when it ends.
function CreditSyncJob({ onEnd }) {
  const sync = useJob(CREDIT_SYNC_JOB, onEnd);
  if (!sync.watched && !sync.error) return null;
  return html`<section aria-labelledby="credit-sync-title"><h2 id="credit-sync-title">Two-way credit sync</h2>
    <${JobProgress} job=${sync.job} error=${sync.error} name="Credit sync progress" testId="credit-sync" /></section>`;
}

// refused: QBO (or our mapping) said no, a person fixes the cause; drift: the accountant changed our document, a
// person chooses ours; retrying (waits included): the engine keeps trying on its own, nothing to press.
const errorKind = (e) => (e.code === "qbo_drift" ? "drift" : e.retrying ? "retrying" : e.code === "waiting" ? "waiting" : "refused");
const ON_ITS_OWN = {
  drift: "No: waits for a person (Retry pushes ours)",
  retrying: "Retried on its own",
  waiting: "Waits for what its message names",
  refused: "Refused: fix the cause, then Retry",
};

function SyncErrors({ errors, canRetry, onChange }) {
  const action = useAction();
  const [outcome, setOutcome] = useState(null);
  const retry = (e) => action.act(async () => {
    const answer = await post(`/qbo/objects/${e.object_type}/${encodeURIComponent(e.object_id)}/retry`, {});
    setOutcome(answer);
    onChange();
  });
  const retryable = (e) => canRetry && ["drift", "refused"].includes(errorKind(e));
  return html`<section aria-labelledby="sync-errors-title"><h2 id="sync-errors-title">Errors and drift</h2>
    ${outcome && html`<p role="status">${label(outcome.object_type)} ${outcome.number || outcome.object_id}: ${outcome.outcome}${outcome.qbo_id ? `, QB ID ${outcome.qbo_id}` : ""}${outcome.message ? ` (${outcome.message})` : ""}</p>`}
    <${ErrorBox} error=${action.error} />
    ${errors.length === 0 ? html`<p class="muted">Nothing is parked: every change reached QuickBooks or is on its way.</p>` : html`
      <p><small>Retry helps with a refusal (once its cause is fixed) and with drift (it pushes ours over the accountant's change).
        A failure retried on its own leaves this list by itself once QuickBooks answers; what waits for a drift's repair goes right after it.</small></p>
      <div class="table-wrap"><table>
      <caption class="visually-hidden">Objects QuickBooks refused or that differ</caption>
      <thead><tr><th scope="col">Object</th><th scope="col">Number</th><th scope="col">Code</th><th scope="col">Message</th>
        <th scope="col">Last attempt</th><th scope="col" class="num">Attempts</th><th scope="col">On its own</th><th scope="col">Next try</th>
        ${canRetry && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
      <tbody>${errors.map((e) => html`<tr class=${errorKind(e)}><td>${e.object_type === "use" ? "credit use" : e.object_type}</td><td><${ObjectName} error=${e} /></td>
        <td>${e.code === "qbo_drift" ? html`<${Status} value="drift" />` : html`<code>${e.code || ""}</code>`}</td>
        <td>${e.message}</td><td>${when(e.last_attempt_at || e.at)}</td><td class="num">${e.attempts}</td>
        <td>${ON_ITS_OWN[errorKind(e)]}</td><td>${when(e.next_retry_at) || "—"}</td>
        ${canRetry && html`<td>${retryable(e) && html`<button type="button" class="secondary" disabled=${action.busy} aria-label=${`Retry ${e.object_type} ${e.number || e.object_id}`} onClick=${() => retry(e)}>Retry</button>`}</td>`}</tr>`)}</tbody></table></div>`}
  </section>`;
}

// The object's number (a customer's name); a credit use has none of its own: its id starts with its credit's, and
// the panel names the payment that made it.
function ObjectName({ error }) {
  if (error.object_type === "use") {
    const credit = html`use of <${CreditRef} id=${error.object_id.split("#")[0]} />`;
    return error.number ? html`${credit} in payment ${error.number}` : credit;
  }
  return error.number || error.object_id;
}

// Sync messages of this account that failed their last allowed delivery (support redrives them once fixed).
function DeadLetters({ letters }) {
  if (letters.length === 0) return null;
  return html`<section aria-labelledby="dead-letters-title"><h2 id="dead-letters-title">Undelivered sync messages</h2>
    <p><small>These failed their last allowed delivery and wait in the dead-letter queue: support moves them back
      (<code>ops dlq redrive</code>) once the cause is fixed; the next success of the same kind removes them.</small></p>
    <table><caption class="visually-hidden">Dead letters</caption>
      <thead><tr><th scope="col">Message</th><th scope="col">When</th><th scope="col" class="num">Deliveries</th><th scope="col">Last failure</th></tr></thead>
      <tbody>${letters.map((d) => html`<tr><td><code>${d.hint}</code></td><td>${when(d.at)}</td><td class="num">${d.receives}</td><td>${d.message}</td></tr>`)}</tbody></table>
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
  const resync = useJob(RESYNC_JOB);
  const action = useAction();
  const start = () => action.act(async () => resync.follow(await post("/qbo/resyncs", {})));
  const running = resync.job && resync.job.status === "running";
  return html`<section aria-labelledby="resync-title"><h2 id="resync-title">Mass re-sync</h2>
    <p><small>Pushes every open document to the connected company again (after a hard disconnect and reconnect).</small></p>
    <button type="button" disabled=${action.busy || !connected || running} onClick=${start}>Start re-sync</button>
    <${ErrorBox} error=${action.error} />
    <${JobProgress} job=${resync.job} error=${resync.error} name="Re-sync progress" testId="resync" />
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
