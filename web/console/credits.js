// The Credits table (notes search, filters, cursor paging, CSV export), issuing a credit, and the credit record:
// details, line items, transaction history, lineage; edit, delete, cancel with its preview.
import { useState } from "preact/hooks";
import { api, get, patch, post, del, query } from "./api.js";
import {
  html, useMe, useLoad, useAction, Loading, ErrorBox, Dialog, Field, Money, Status, SyncState, Link, label, when, can,
  customerName,
} from "./ui.js";

const SOURCES = ["manual", "return", "overpayment", "invoice_adjustment", "qbo"];
const STATUSES = ["active", "canceled", "deleted", "voided"];

export function CreditsPage() {
  const ctx = useMe();
  const [filters, setFilters] = useState({ q: "", customer_id: "", status: "", source: "" });
  const [pages, setPages] = useState([null]); // cursors of the pages seen: [null, c2, c3...]
  const [issuing, setIssuing] = useState(false);
  const [note, setNote] = useState("");
  const cursor = pages[pages.length - 1];
  const state = useLoad(() => get("/credits" + query({ ...filters, limit: 25, cursor })), [JSON.stringify(filters), cursor]);
  const exporting = useAction();
  const set = (name) => (e) => { setFilters({ ...filters, [name]: e.target.value }); setPages([null]); };
  const search = (e) => { e.preventDefault(); setFilters({ ...filters, q: note }); setPages([null]); };

  const exportCsv = () => exporting.act(async () => {
    const blob = await api("GET", "/credits" + query(filters), { accept: "text/csv" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "credits.csv";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });

  return html`<section aria-labelledby="credits-title">
    <div class="title-row"><h1 id="credits-title">Credits</h1>
      ${can(ctx.me, "create_credits") && html`<button type="button" onClick=${() => setIssuing(true)}>Issue credit</button>`}
      <button type="button" class="secondary" onClick=${exportCsv} disabled=${exporting.busy}>Export CSV</button>
    </div>
    <${ErrorBox} error=${exporting.error} />
    <form class="filters" role="search" aria-label="Filter credits" onSubmit=${search}>
      <${Field} label="Search notes"><input type="search" value=${note} onInput=${(e) => setNote(e.target.value)} /></${Field}>
      <button type="submit" class="secondary">Search</button>
      <${Field} label="Customer"><select value=${filters.customer_id} onChange=${set("customer_id")}>
        <option value="">All customers</option>
        ${[...ctx.customers].map(([id, name]) => html`<option value=${id}>${name}</option>`)}
      </select></${Field}>
      <${Field} label="Status"><select value=${filters.status} onChange=${set("status")}>
        <option value="">Any status</option>${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
      </select></${Field}>
      <${Field} label="Source"><select value=${filters.source} onChange=${set("source")}>
        <option value="">Any source</option>${SOURCES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
      </select></${Field}>
    </form>
    <${Loading} state=${state}>${(page) => html`
      <${CreditsTable} credits=${page.data} />
      <nav class="pager" aria-label="Credits pages">
        <button type="button" class="secondary" disabled=${pages.length === 1} onClick=${() => setPages(pages.slice(0, -1))}>Previous page</button>
        <span>Page ${pages.length}</span>
        <button type="button" class="secondary" disabled=${!page.next_cursor} onClick=${() => setPages([...pages, page.next_cursor])}>Next page</button>
      </nav>`}
    </${Loading}>
    ${issuing && html`<${IssueCredit} onClose=${() => setIssuing(false)} onDone=${() => { setIssuing(false); state.reload(); }} />`}
  </section>`;
}

export function CreditsTable({ credits, caption = "Credits" }) {
  const ctx = useMe();
  if (!credits.length) return html`<p class="muted">No credits match.</p>`;
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>
      <th scope="col">Number</th><th scope="col">Customer</th><th scope="col">Source</th><th scope="col" class="num">Amount</th>
      <th scope="col" class="num">Used</th><th scope="col" class="num">Remaining</th><th scope="col">Status</th>
      <th scope="col">Internal Notes</th><th scope="col">External Notes</th><th scope="col">QB ID</th><th scope="col">Sync Status</th>
    </tr></thead>
    <tbody>${credits.map((c) => html`<tr>
      <td class="nowrap"><${Link} to=${"/credits/" + c.id}>${c.number}</${Link}></td>
      <td><${Link} to=${"/customers/" + c.customer_id}>${customerName(ctx, c.customer_id)}</${Link}></td>
      <td>${label(c.source)}</td><td class="num"><${Money} value=${c.amount} /></td>
      <td class="num"><${Money} value=${c.used} /></td><td class="num"><${Money} value=${c.remaining} /></td>
      <td><${Status} value=${c.status} /></td><td>${c.internal_note}</td><td>${c.external_note}</td>
      <td>${c.qbo_id || ""}</td><td><${SyncState} status=${c.sync_status} error=${c.sync_error} /></td>
    </tr>`)}</tbody>
  </table></div>`;
}

// A link to a credit, named by its number once read (a credit use knows its credit's id only).
export function CreditRef({ id }) {
  const state = useLoad(() => get(`/credits/${id}`), [id]);
  return html`<${Link} to=${"/credits/" + id}>${state.data ? state.data.number : "credit"}</${Link}>`;
}

function IssueCredit({ onClose, onDone, customerId }) {
  const ctx = useMe();
  const [form, setForm] = useState({ customer_id: customerId || [...ctx.customers.keys()][0] || "", amount: "", internal_note: "", external_note: "" });
  const action = useAction();
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => { e.preventDefault(); action.act(async () => { await post("/credits", form); onDone(); }); };
  return html`<${Dialog} title="Issue credit" onClose=${onClose}>
    <form onSubmit=${submit}>
      <${Field} label="Customer"><select required value=${form.customer_id} onChange=${set("customer_id")}>
        ${[...ctx.customers].map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select></${Field}>
      <${Field} label="Amount" hint="e.g. 25.00"><input required inputmode="decimal" value=${form.amount} onInput=${set("amount")} /></${Field}>
      <${Field} label="Internal note"><textarea value=${form.internal_note} onInput=${set("internal_note")}></textarea></${Field}>
      <${Field} label="External note"><textarea value=${form.external_note} onInput=${set("external_note")}></textarea></${Field}>
      <${ErrorBox} error=${action.error} />
      <div class="actions"><button type="submit" disabled=${action.busy}>Issue credit</button>
        <button type="button" class="secondary" onClick=${onClose}>Close</button></div>
    </form>
  </${Dialog}>`;
}

export { IssueCredit };

export function CreditPage({ id }) {
  const ctx = useMe();
  const [dialog, setDialog] = useState(null);
  const [tab, setTab] = useState("history");
  const state = useLoad(() => Promise.all([get(`/credits/${id}`), get(`/credits/${id}/transactions`), get(`/credits/${id}/lineage`)]), [id]);
  const done = () => { setDialog(null); state.reload(); };
  return html`<${Loading} state=${state}>${([credit, history, lineage]) => html`<section aria-labelledby="credit-title">
    <div class="title-row"><h1 id="credit-title">Credit ${credit.number}</h1> <${Status} value=${credit.status} />
      ${credit.status === "active" && can(ctx.me, "edit_credits") && html`
        <button type="button" class="secondary" onClick=${() => setDialog("edit")}>Edit</button>
        <button type="button" class="secondary" onClick=${() => setDialog("cancel")}>Cancel credit</button>`}
      ${credit.status === "active" && can(ctx.me, "delete_credits") && html`<button type="button" class="danger" onClick=${() => setDialog("delete")}>Delete</button>`}
    </div>
    <dl class="facts">
      <dt>Customer</dt><dd><${Link} to=${"/customers/" + credit.customer_id}>${customerName(ctx, credit.customer_id)}</${Link}></dd>
      <dt>Source</dt><dd>${label(credit.source)}</dd>
      <dt>Amount</dt><dd><${Money} value=${credit.amount} /></dd><dt>Used</dt><dd><${Money} value=${credit.used} /></dd>
      <dt>Remaining</dt><dd><${Money} value=${credit.remaining} /></dd>
      <dt>Internal Notes</dt><dd>${credit.internal_note || "—"}</dd><dt>External Notes</dt><dd>${credit.external_note || "—"}</dd>
      <dt>Created</dt><dd>${when(credit.created_at)}</dd>
      <dt>QB ID</dt><dd>${credit.qbo_id || "not in QuickBooks yet"}</dd>
      <dt>Sync Status</dt><dd><${SyncState} status=${credit.sync_status} error=${credit.sync_error} />
        ${credit.sync_status === "drift" && can(ctx.me, "manage_integration") && html`<small class="sync-detail">
          <${Link} to="/qbo">QuickBooks panel</${Link}>: Retry or Repair differences pushes ours again.</small>`}</dd>
    </dl>
    <div role="tablist" aria-label="Credit record" class="tabs">
      ${[["history", "Transaction History"], ["items", "Line Items"], ["lineage", "Lineage"]].map(([key, text]) => html`
        <button type="button" role="tab" id=${"tab-" + key} aria-selected=${tab === key} aria-controls=${"panel-" + key} onClick=${() => setTab(key)}>${text}</button>`)}
    </div>
    <div role="tabpanel" id=${"panel-" + tab} aria-labelledby=${"tab-" + tab}>
      ${tab === "history" && html`<${History} events=${history.data} />`}
      ${tab === "items" && html`<${LineItems} items=${credit.line_items} />`}
      ${tab === "lineage" && html`<${Lineage} lineage=${lineage} />`}
    </div>
    ${dialog === "edit" && html`<${EditCredit} credit=${credit} onClose=${() => setDialog(null)} onDone=${done} />`}
    ${dialog === "cancel" && html`<${CancelCredit} credit=${credit} onClose=${() => setDialog(null)} onDone=${done} />`}
    ${dialog === "delete" && html`<${DeleteCredit} credit=${credit} onClose=${() => setDialog(null)} onDone=${done} />`}
  </section>`}</${Loading}>`;
}

const EVENT_NAMES = { created: "Created", applied: "Applied", use_voided: "Use voided", edited: "Edited", canceled: "Canceled",
  deleted: "Deleted", voided: "Voided", synced: "Synced" };

function History({ events }) {
  const voided = new Set(events.filter((e) => e.kind === "use_voided").map((e) => e.details.use_id));
  return html`<table>
    <caption>Transaction History</caption>
    <thead><tr><th scope="col">Date</th><th scope="col">Event</th><th scope="col" class="num">Amount</th><th scope="col">Invoice</th></tr></thead>
    <tbody>${events.map((e) => {
      const struck = e.kind === "applied" && voided.has(e.details.use_id);
      const cells = html`<td>${when(e.at)}</td><td>${EVENT_NAMES[e.kind] || e.kind}${struck ? html`<span class="visually-hidden"> (voided)</span>` : ""}</td>
        <td class="num"><${Money} value=${e.amount} /></td>
        <td>${e.details.invoice_id ? html`<${Link} to=${"/invoices/" + e.details.invoice_id}>invoice</${Link}>` : ""}</td>`;
      return html`<tr class=${struck ? "voided" : ""} data-kind=${e.kind}>${cells}</tr>`;
    })}</tbody>
  </table>`;
}

function LineItems({ items }) {
  if (!items.length) return html`<p class="muted">This credit has no line items (only credits from returns carry products, packages and batches).</p>`;
  return html`<table><caption>Line Items</caption>
    <thead><tr><th scope="col">Product</th><th scope="col">Package</th><th scope="col">Batch</th><th scope="col" class="num">Quantity</th>
      <th scope="col" class="num">Unit Price</th><th scope="col" class="num">Total</th></tr></thead>
    <tbody>${items.map((i) => html`<tr><td>${i.product_id}</td><td>${i.package_id || ""}</td><td>${i.batch_id || ""}</td>
      <td class="num">${i.quantity}</td><td class="num"><${Money} value=${i.unit_price} /></td><td class="num"><${Money} value=${i.total} /></td></tr>`)}</tbody>
  </table>`;
}

function Lineage({ lineage }) {
  const origin = lineage.origin || {};
  return html`<div>
    <h2>Origin</h2>
    ${origin.return && html`<p>Return ${origin.return.number}${origin.return.qbo_id ? ` (QB ID ${origin.return.qbo_id})` : ""}</p>`}
    ${origin.invoice && html`<p>Invoice <${Link} to=${"/invoices/" + origin.invoice.id}>${origin.invoice.number}</${Link}>${origin.payment ? `, payment ${origin.payment.number}` : ""}</p>`}
    ${!origin.return && !origin.invoice && html`<p class="muted">Issued here (${label(lineage.credit.source)}).</p>`}
    <table><caption>Uses</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">Payment</th><th scope="col">Invoice</th><th scope="col" class="num">Amount</th><th scope="col">QB ID</th></tr></thead>
      <tbody>${lineage.uses.map((u) => html`<tr class=${u.voided_at ? "voided" : ""}>
        <td>${when(u.at)}</td><td>${u.payment.number}</td>
        <td><${Link} to=${"/invoices/" + u.invoice.id}>${u.invoice.number}</${Link}></td>
        <td class="num">${u.voided_at ? html`<del><${Money} value=${u.amount} /></del> <small>voided ${when(u.voided_at)}</small>` : html`<${Money} value=${u.amount} />`}</td>
        <td>${u.payment.qbo_id || ""}</td></tr>`)}</tbody>
    </table>
  </div>`;
}

function EditCredit({ credit, onClose, onDone }) {
  const [form, setForm] = useState({ amount: credit.amount, internal_note: credit.internal_note, external_note: credit.external_note });
  const action = useAction();
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => { e.preventDefault(); action.act(async () => { await patch(`/credits/${credit.id}`, form); onDone(); }); };
  return html`<${Dialog} title="Edit credit" onClose=${onClose}><form onSubmit=${submit}>
    <${Field} label="Amount" hint=${`never below what is used (${credit.used})`}><input required value=${form.amount} onInput=${set("amount")} /></${Field}>
    <${Field} label="Internal note"><textarea value=${form.internal_note} onInput=${set("internal_note")}></textarea></${Field}>
    <${Field} label="External note"><textarea value=${form.external_note} onInput=${set("external_note")}></textarea></${Field}>
    <${ErrorBox} error=${action.error} />
    <div class="actions"><button type="submit" disabled=${action.busy}>Save</button><button type="button" class="secondary" onClick=${onClose}>Close</button></div>
  </form></${Dialog}>`;
}

function DeleteCredit({ credit, onClose, onDone }) {
  const action = useAction();
  return html`<${Dialog} title="Delete credit" onClose=${onClose}>
    <p>Delete credit ${credit.number}? Only a credit that was never used can be deleted.</p>
    <${ErrorBox} error=${action.error} />
    <div class="actions"><button type="button" class="danger" disabled=${action.busy} onClick=${() => action.act(async () => { await del(`/credits/${credit.id}`); onDone(); })}>Delete credit</button>
      <button type="button" class="secondary" onClick=${onClose}>Keep it</button></div>
  </${Dialog}>`;
}

const MODES = [["balance_only", "Cancel Balance Only", "Removes the remaining unused balance; its uses stay."],
  ["revert", "Cancel & Revert", "Removes the balance and voids every use of this credit (those invoices may become Unpaid)."]];

function CancelCredit({ credit, onClose, onDone }) {
  const [mode, setMode] = useState("balance_only");
  const preview = useLoad(() => post(`/credits/${credit.id}/cancel/preview`, { mode }), [mode]);
  const action = useAction();
  return html`<${Dialog} title="Cancel credit" onClose=${onClose} wide>
    <fieldset><legend>How to cancel ${credit.number}</legend>
      ${MODES.map(([value, text, hint]) => html`<label class="choice"><input type="radio" name="cancel-mode" value=${value}
        checked=${mode === value} onChange=${() => setMode(value)} /> <span><strong>${text}</strong><br /><small>${hint}</small></span></label>`)}
    </fieldset>
    <section aria-label="Cancel preview" aria-live="polite" class="preview">
      <h3>What this would do</h3>
      <${Loading} state=${preview}>${(p) => html`
        <p>The credit would be left <strong>${label(p.credit.status)}</strong> with <${Money} value=${p.credit.remaining} /> remaining (used <${Money} value=${p.credit.used} />).</p>
        ${p.voided_uses.length ? html`<p>${p.voided_uses.length} use(s) voided.</p>` : html`<p>No use is voided.</p>`}
        ${p.invoices.length > 0 && html`<table><caption>Invoices reopened</caption>
          <thead><tr><th scope="col">Invoice</th><th scope="col" class="num">Balance before</th><th scope="col" class="num">Balance after</th><th scope="col">Status after</th></tr></thead>
          <tbody>${p.invoices.map((i) => html`<tr><td>${i.number}</td><td class="num"><${Money} value=${i.balance_before} /></td>
            <td class="num"><${Money} value=${i.balance_after} /></td><td>${label(i.status_after)}</td></tr>`)}</tbody></table>`}
        ${p.qbo_documents.length > 0 && html`<ul class="qbo-changes">${p.qbo_documents.map((d) => html`<li>QuickBooks: ${d.effect}</li>`)}</ul>`}`}
      </${Loading}>
    </section>
    <${ErrorBox} error=${action.error} />
    <div class="actions">
      <button type="button" class="danger" disabled=${action.busy || !preview.data}
        onClick=${() => action.act(async () => { await post(`/credits/${credit.id}/cancel`, { mode }); onDone(); })}>Confirm cancel</button>
      <button type="button" class="secondary" onClick=${onClose}>Keep the credit</button>
    </div>
  </${Dialog}>`;
}
