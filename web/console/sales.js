// Customers (credit summary and outstanding balance), sales orders, invoices with their payments and the Receive
// Payment dialog (mixed tenders and credits, FIFO or chosen; the remaining balance comes from the API's preview).
import { useEffect, useState } from "preact/hooks";
import { get, post, patch, query } from "./api.js";
import {
  html, useMe, useLoad, useAction, Loading, ErrorBox, Dialog, Field, Money, Status, SyncState, Link, label, when, can,
  customerName,
} from "./ui.js";
import { CreditsTable, CreditRef, IssueCredit } from "./credits.js";

export function CustomersPage() {
  const ctx = useMe();
  const [name, setName] = useState("");
  const action = useAction();
  const create = (e) => {
    e.preventDefault();
    action.act(async () => { const c = await post("/customers", { name }); setName(""); await ctx.reloadCustomers(); location.hash = "#/customers/" + c.id; });
  };
  return html`<section aria-labelledby="customers-title"><h1 id="customers-title">Customers</h1>
    <table><caption class="visually-hidden">Customers</caption><thead><tr><th scope="col">Customer</th></tr></thead>
      <tbody>${[...ctx.customers].map(([id, n]) => html`<tr><td><${Link} to=${"/customers/" + id}>${n}</${Link}></td></tr>`)}</tbody></table>
    ${can(ctx.me, "manage_sales") && html`<form class="inline-form" onSubmit=${create}>
      <${Field} label="New customer name"><input required value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
      <button type="submit" disabled=${action.busy}>Add customer</button><${ErrorBox} error=${action.error} /></form>`}
  </section>`;
}

// Credits and outstanding balance of a customer: always shown (the guide), with the warning above the threshold.
export function CreditSummary({ customerId }) {
  const ctx = useMe();
  const state = useLoad(() => get(`/customers/${customerId}/credit-summary`), [customerId]);
  const name = ctx.me.sees_credits ? "Credits and outstanding balance" : "Outstanding balance";
  return html`<${Loading} state=${state}>${(s) => html`<section class="summary" aria-label=${name}>
    <dl class="facts">
      ${ctx.me.sees_credits && html`<dt>Available credit</dt><dd><${Money} value=${s.available_credit} /></dd>`}
      <dt>Outstanding balance</dt><dd><${Money} value=${s.outstanding_balance} /></dd>
    </dl>
    ${s.warning && html`<p class="warning" role="alert">Outstanding balance is above the warning threshold of <${Money} value=${s.warning_threshold} />.</p>`}
  </section>`}</${Loading}>`;
}

export function CustomerPage({ id }) {
  const ctx = useMe();
  const [issuing, setIssuing] = useState(false);
  const invoices = useLoad(() => get("/invoices" + query({ customer_id: id, limit: 50 })), [id]);
  const credits = useLoad(() => (ctx.me.sees_credits ? get("/credits" + query({ customer_id: id, limit: 50 })) : Promise.resolve(null)), [id]);
  return html`<section aria-labelledby="customer-title">
    <div class="title-row"><h1 id="customer-title">${customerName(ctx, id)}</h1>
      ${ctx.me.sees_credits && can(ctx.me, "create_credits") && html`<button type="button" onClick=${() => setIssuing(true)}>Issue credit</button>`}</div>
    <${CreditSummary} customerId=${id} />
    <h2>Invoices</h2>
    <${Loading} state=${invoices}>${(page) => html`<${InvoicesTable} invoices=${page.data} />`}</${Loading}>
    ${can(ctx.me, "manage_sales") && html`<${NewSalesOrder} customerId=${id} />`}
    ${ctx.me.sees_credits && html`<h2>Credits</h2><${Loading} state=${credits}>${(page) => page && html`<${CreditsTable} credits=${page.data} caption="Credits of this customer" />`}</${Loading}>`}
    ${issuing && html`<${IssueCredit} customerId=${id} onClose=${() => setIssuing(false)} onDone=${() => { setIssuing(false); credits.reload(); }} />`}
  </section>`;
}

function InvoicesTable({ invoices }) {
  if (!invoices.length) return html`<p class="muted">No invoices yet.</p>`;
  return html`<table><caption class="visually-hidden">Invoices</caption>
    <thead><tr><th scope="col">Invoice</th><th scope="col">Date</th><th scope="col" class="num">Total</th><th scope="col" class="num">Paid</th>
      <th scope="col" class="num">Balance</th><th scope="col">Status</th><th scope="col">QB ID</th><th scope="col">Sync Status</th></tr></thead>
    <tbody>${invoices.map((i) => html`<tr><td class="nowrap"><${Link} to=${"/invoices/" + i.id}>${i.number}</${Link}></td><td>${when(i.created_at)}</td>
      <td class="num"><${Money} value=${i.total} /></td><td class="num"><${Money} value=${i.paid} /></td>
      <td class="num"><${Money} value=${i.balance} /></td><td><${Status} value=${i.status} /></td><td>${i.qbo_id || ""}</td>
      <td><${SyncState} status=${i.sync_status} error=${i.sync_error} /></td></tr>`)}</tbody></table>`;
}

function NewSalesOrder({ customerId }) {
  const [line, setLine] = useState({ description: "", quantity: "1", unit_price: "" });
  const action = useAction();
  const set = (name) => (e) => setLine({ ...line, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    action.act(async () => {
      const order = await post("/sales-orders", { customer_id: customerId, lines: [line], charges: [] });
      location.hash = "#/sales-orders/" + order.id;
    });
  };
  return html`<form class="inline-form" aria-label="New sales order" onSubmit=${submit}>
    <h2>New sales order</h2>
    <${Field} label="Description"><input required value=${line.description} onInput=${set("description")} /></${Field}>
    <${Field} label="Quantity"><input required inputmode="decimal" value=${line.quantity} onInput=${set("quantity")} /></${Field}>
    <${Field} label="Unit price"><input required inputmode="decimal" value=${line.unit_price} onInput=${set("unit_price")} /></${Field}>
    <button type="submit" disabled=${action.busy}>Create sales order</button>
    <${ErrorBox} error=${action.error} />
  </form>`;
}

export function SalesOrderPage({ id }) {
  const ctx = useMe();
  const state = useLoad(() => get(`/sales-orders/${id}`), [id]);
  return html`<${Loading} state=${state}>${(order) => html`<section aria-labelledby="order-title">
    <h1 id="order-title">Sales order ${order.number}</h1>
    <dl class="facts"><dt>Customer</dt><dd><${Link} to=${"/customers/" + order.customer_id}>${customerName(ctx, order.customer_id)}</${Link}></dd>
      <dt>Invoice</dt><dd><${Link} to=${"/invoices/" + order.invoice_id}>open the invoice</${Link}></dd>
      <dt>Invoice total</dt><dd><${Money} value=${order.invoice.total} /></dd><dt>Invoice balance</dt><dd><${Money} value=${order.invoice.balance} /></dd>
      <dt>Status</dt><dd><${Status} value=${order.invoice.status} /></dd></dl>
    <h2>${ctx.me.sees_credits ? "Customer's credits and outstanding balance" : "Customer's outstanding balance"}</h2>
    <${CreditSummary} customerId=${order.customer_id} />
  </section>`}</${Loading}>`;
}

export function InvoicePage({ id }) {
  const ctx = useMe();
  const [receiving, setReceiving] = useState(false);
  const [voiding, setVoiding] = useState(null);
  const state = useLoad(() => get(`/invoices/${id}`), [id]);
  return html`<${Loading} state=${state}>${(inv) => html`<section aria-labelledby="invoice-title">
    <div class="title-row"><h1 id="invoice-title">Invoice ${inv.number}</h1> <${Status} value=${inv.status} />
      ${inv.status !== "fully_paid" && !inv.deleted && can(ctx.me, "receive_payments") && html`<button type="button" onClick=${() => setReceiving(true)}>Receive Payment</button>`}</div>
    <dl class="facts"><dt>Customer</dt><dd><${Link} to=${"/customers/" + inv.customer_id}>${customerName(ctx, inv.customer_id)}</${Link}></dd>
      <dt>Total</dt><dd><${Money} value=${inv.total} /></dd><dt>Paid</dt><dd><${Money} value=${inv.paid} /></dd>
      <dt>Balance</dt><dd><${Money} value=${inv.balance} /></dd><dt>QB ID</dt><dd>${inv.qbo_id || "not in QuickBooks yet"}</dd>
      <dt>Sync Status</dt><dd data-testid="invoice-sync"><${SyncState} status=${inv.sync_status} error=${inv.sync_error} /></dd>
      <dt>Sales order</dt><dd><${Link} to=${"/sales-orders/" + inv.sales_order_id}>open the order</${Link}></dd></dl>
    <h2>Payments</h2>
    <${Payments} payments=${inv.payments} onVoid=${can(ctx.me, "receive_payments") ? setVoiding : null} />
    ${receiving && html`<${ReceivePayment} invoice=${inv} onClose=${() => setReceiving(false)} onDone=${() => { setReceiving(false); state.reload(); }} />`}
    ${voiding && html`<${VoidPayment} payment=${voiding} onClose=${() => setVoiding(null)} onDone=${() => { setVoiding(null); state.reload(); }} />`}
  </section>`}</${Loading}>`;
}

// An invoice's payments: tenders, each credit use with its own QuickBooks document (QB ID, sync status), what the
// payment applied, and the payment's sync state over all its documents (synced only when every one is in QuickBooks).
function Payments({ payments, onVoid }) {
  const ctx = useMe();
  const credits = ctx.me.sees_credits;
  if (!payments.length) return html`<p class="muted">No payments yet.</p>`;
  return html`<div class="table-wrap"><table><caption class="visually-hidden">Payments and their allocation</caption>
    <thead><tr><th scope="col">Payment</th><th scope="col">Date</th><th scope="col">Tenders</th>
      ${credits && html`<th scope="col">Credits Applied</th>`}<th scope="col" class="num">Applied</th>
      <th scope="col">Status</th><th scope="col">QB ID</th><th scope="col">Sync Status</th>
      ${onVoid && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
    <tbody>${payments.map((p) => html`<tr class=${p.status === "voided" ? "voided" : ""}>
      <td class="nowrap">${p.number}</td><td>${when(p.created_at)}</td>
      <td>${p.tenders.map((t) => html`<div>${label(t.method)} <${Money} value=${t.amount} /></div>`)}</td>
      ${credits && html`<td>${(p.credit_uses || []).map((u) => html`<${CreditUse} use=${u} />`)}</td>`}
      <td class="num"><${Money} value=${p.applied} /></td><td><${Status} value=${p.status} /></td>
      <td>${p.qbo_id || (credits && p.tenders.length === 0 && (p.credit_uses || []).length > 0 ? html`<small class="muted">credits only: each use has its own</small>` : "")}</td>
      <td><${SyncState} status=${p.sync_status} error=${p.sync_error} /></td>
      ${onVoid && html`<td>${p.status === "active" && html`<button type="button" class="secondary" aria-label=${"Void payment " + p.number} onClick=${() => onVoid(p)}>Void</button>`}</td>`}
    </tr>`)}</tbody></table></div>`;
}

// One credit use of a payment: the credit and amount (struck through once voided), and the QBO Payment that links it.
function CreditUse({ use }) {
  const what = html`<${CreditRef} id=${use.credit_id} /> <${Money} value=${use.amount} />`;
  return html`<div class="use" data-testid="credit-use">
    ${use.voided_at ? html`<del>${what}<span class="visually-hidden"> (voided)</span></del>` : what}
    <span class="use-sync">QB ID ${use.qbo_id || "—"}${use.sync_status && html` <${Status} value=${use.sync_status} />`}</span></div>`;
}

function VoidPayment({ payment, onClose, onDone }) {
  const action = useAction();
  return html`<${Dialog} title="Void payment" onClose=${onClose}>
    <p>Void payment ${payment.number}? Its tenders and credit uses stay listed, struck through; the credits get their balance back.</p>
    <${ErrorBox} error=${action.error} />
    <div class="actions"><button type="button" class="danger" disabled=${action.busy} onClick=${() => action.act(async () => { await post(`/payments/${payment.id}/void`, {}); onDone(); })}>Void payment</button>
      <button type="button" class="secondary" onClick=${onClose}>Keep it</button></div>
  </${Dialog}>`;
}

function ReceivePayment({ invoice, onClose, onDone }) {
  const ctx = useMe();
  const [tenders, setTenders] = useState([{ method: "cash", amount: "" }]);
  const [mode, setMode] = useState("none"); // none | fifo | chosen
  const [chosen, setChosen] = useState({}); // credit id -> amount ("" = as much as it has, up to the balance)
  const [number, setNumber] = useState("");
  const [preview, setPreview] = useState({ data: null, error: null });
  const action = useAction();
  const open = useLoad(() => (ctx.me.sees_credits ? get("/credits" + query({ customer_id: invoice.customer_id, status: "active", limit: 100 })) : Promise.resolve({ data: [] })), [invoice.id]);
  const usable = ((open.data && open.data.data) || []).filter((c) => c.remaining !== "0.00" && c.origin_invoice_id !== invoice.id);

  const body = () => {
    const b = { tenders: tenders.filter((t) => t.amount.trim() !== "").map((t) => ({ method: t.method, amount: t.amount.trim() })) };
    if (mode === "fifo") b.credits = "fifo";
    if (mode === "chosen") b.credits = Object.entries(chosen).map(([credit_id, amount]) => (amount.trim() ? { credit_id, amount: amount.trim() } : { credit_id }));
    return b;
  };
  const key = JSON.stringify(body());
  useEffect(() => { // the live balance: the service's preview of exactly this payment, a moment after the last keystroke
    let live = true;
    const timer = setTimeout(() => post(`/invoices/${invoice.id}/payments/preview`, JSON.parse(key)).then(
      (data) => live && setPreview({ data, error: null }), (error) => live && setPreview({ data: null, error })), 250);
    return () => { live = false; clearTimeout(timer); };
  }, [key]);

  const setTender = (i, name) => (e) => setTenders(tenders.map((t, j) => (j === i ? { ...t, [name]: e.target.value } : t)));
  const toggle = (id) => (e) => { const next = { ...chosen }; if (e.target.checked) next[id] = ""; else delete next[id]; setChosen(next); };
  const submit = (e) => {
    e.preventDefault();
    action.act(async () => { await post(`/invoices/${invoice.id}/payments`, { ...JSON.parse(key), ...(number.trim() ? { payment_number: number.trim() } : {}) }); onDone(); });
  };
  const p = preview.data;
  return html`<${Dialog} title="Receive Payment" onClose=${onClose} wide><form onSubmit=${submit}>
    <p>Invoice ${invoice.number}: balance <${Money} value=${invoice.balance} /></p>
    <fieldset><legend>Tenders</legend>
      ${tenders.map((t, i) => html`<div class="tender-row">
        <${Field} label=${`Tender ${i + 1} method`}><select value=${t.method} onChange=${setTender(i, "method")}>
          ${["cash", "check", "transfer"].map((m) => html`<option value=${m}>${label(m)}</option>`)}</select></${Field}>
        <${Field} label=${`Tender ${i + 1} amount`}><input inputmode="decimal" value=${t.amount} onInput=${setTender(i, "amount")} /></${Field}>
        ${tenders.length > 1 && html`<button type="button" class="plain" aria-label=${`Remove tender ${i + 1}`} onClick=${() => setTenders(tenders.filter((_, j) => j !== i))}>Remove</button>`}
      </div>`)}
      <button type="button" class="secondary" onClick=${() => setTenders([...tenders, { method: "check", amount: "" }])}>Add tender</button>
    </fieldset>
    ${ctx.me.sees_credits && html`<fieldset><legend>Credits</legend>
      ${[["none", "No credits"], ["fifo", "Oldest first (FIFO)"], ["chosen", "Choose credits"]].map(([v, text]) => html`
        <label class="choice"><input type="radio" name="credit-mode" value=${v} checked=${mode === v} onChange=${() => setMode(v)} /> ${text}</label>`)}
      ${mode === "chosen" && html`<table><caption>Credits of this customer</caption>
        <thead><tr><th scope="col">Use</th><th scope="col">Credit</th><th scope="col" class="num">Remaining</th><th scope="col">Amount to apply</th></tr></thead>
        <tbody>${usable.map((c) => html`<tr>
          <td><input type="checkbox" aria-label=${"Use credit " + c.number} checked=${c.id in chosen} onChange=${toggle(c.id)} /></td>
          <td>${c.number}${c.internal_note ? html` <small>${c.internal_note}</small>` : ""}</td><td class="num"><${Money} value=${c.remaining} /></td>
          <td><input aria-label=${"Amount from credit " + c.number} placeholder="as much as needed" inputmode="decimal" disabled=${!(c.id in chosen)}
            value=${chosen[c.id] || ""} onInput=${(e) => setChosen({ ...chosen, [c.id]: e.target.value })} /></td></tr>`)}</tbody></table>
        ${!usable.length && html`<p class="muted">This customer has no credit left to apply.</p>`}`}
    </fieldset>`}
    <${Field} label="Payment number" hint="optional; given automatically otherwise"><input value=${number} onInput=${(e) => setNumber(e.target.value)} /></${Field}>
    <section class="preview" aria-label="Payment preview" aria-live="polite">
      ${preview.error ? html`<${ErrorBox} error=${preview.error} />` : p && html`<dl class="facts">
        <dt>Tenders</dt><dd><${Money} value=${p.tender_applied} /></dd>
        ${p.credits_total != null && html`<dt>Credits</dt><dd><${Money} value=${p.credits_total} /></dd>`}
        <dt>Remaining balance</dt><dd data-testid="remaining-balance"><${Money} value=${p.balance_after} /></dd>
        ${p.overpayment !== "0.00" && html`<dt>Becomes a credit (overpayment)</dt><dd><${Money} value=${p.overpayment} /></dd>`}
      </dl>
      ${p.credit_uses && p.credit_uses.length > 0 && html`<ul>${p.credit_uses.map((u) => html`<li>${u.number}: <${Money} value=${u.amount} /> (leaves <${Money} value=${u.remaining_after} />)</li>`)}</ul>`}`}
    </section>
    <${ErrorBox} error=${action.error} />
    <div class="actions"><button type="submit" disabled=${action.busy}>Receive payment</button>
      <button type="button" class="secondary" onClick=${onClose}>Close</button></div>
  </form></${Dialog}>`;
}
