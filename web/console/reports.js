// Reports: the credit aging report (a stacked bar chart by age bucket and source, and the table), and a customer's
// balances as of past dates (a line chart of the month ends). Chart values are the API's amounts as written; the
// tables show them exactly.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from "chart.js";
import { get, query } from "./api.js";
import { html, useMe, useLoad, Loading, Field, Money, label } from "./ui.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
const COLORS = { manual: "#3b6fb6", return: "#2e9e6b", overpayment: "#d08a1e", invoice_adjustment: "#8a5cc2", qbo: "#c0504d" };

function ChartCanvas({ config, labelText }) {
  const ref = useRef(null);
  useEffect(() => {
    const chart = new Chart(ref.current, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return html`<div class="chart"><canvas ref=${ref} role="img" aria-label=${labelText}></canvas></div>`;
}

export function ReportsPage() {
  return html`<section aria-labelledby="reports-title"><h1 id="reports-title">Reports</h1><${Aging} /><${AsOf} /></section>`;
}

function Aging() {
  const ctx = useMe();
  const [asOf, setAsOf] = useState("");
  const state = useLoad(() => get("/reports/credit-aging" + query({ as_of: asOf })), [asOf]);
  return html`<section aria-labelledby="aging-title"><h2 id="aging-title">Credit aging</h2>
    <${Field} label="Aging as of"><input type="date" value=${asOf} onChange=${(e) => setAsOf(e.target.value)} /></${Field}>
    <${Loading} state=${state}>${(report) => {
      const sources = Object.keys(report.total.by_source);
      const config = { type: "bar", data: { labels: report.buckets.map((b) => b + " days"), datasets: sources.map((s) => ({
        label: label(s), backgroundColor: COLORS[s] || "#777", data: report.buckets.map((b) => Number(report.total.by_source[s][b])) })) },
        options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "Open credit ($)" } } } } };
      return html`<p>Open credit on ${report.as_of}: <${Money} value=${report.total.total} /></p>
        <${ChartCanvas} config=${config} labelText=${"Open credit by age bucket and source, as of " + report.as_of} />
        <table><caption>Open credit by customer and age (days)</caption>
          <thead><tr><th scope="col">Customer</th>${report.buckets.map((b) => html`<th scope="col" class="num">${b}</th>`)}<th scope="col" class="num">Total</th></tr></thead>
          <tbody>${report.customers.map((c) => html`<tr><td>${c.name || c.customer_id}</td>${report.buckets.map((b) => html`<td class="num"><${Money} value=${c.buckets[b]} /></td>`)}
            <td class="num"><${Money} value=${c.total} /></td></tr>`)}</tbody>
          <tfoot><tr><th scope="row">All customers</th>${report.buckets.map((b) => html`<td class="num"><${Money} value=${report.total.buckets[b]} /></td>`)}
            <td class="num"><${Money} value=${report.total.total} /></td></tr></tfoot>
        </table>`;
    }}</${Loading}>
  </section>`;
}

function monthEnds(count) {
  const today = new Date();
  const dates = [];
  for (let i = count - 1; i >= 1; i -= 1) dates.push(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - i + 1, 0)).toISOString().slice(0, 10));
  dates.push(today.toISOString().slice(0, 10));
  return dates;
}

function AsOf() {
  const ctx = useMe();
  const [customer, setCustomer] = useState([...ctx.customers.keys()][0] || "");
  const dates = monthEnds(6);
  const state = useLoad(() => (customer ? Promise.all(dates.map((d) => get(`/customers/${customer}/credit-summary?as_of=${d}`))) : Promise.resolve([])), [customer]);
  return html`<section aria-labelledby="asof-title"><h2 id="asof-title">Balances as of</h2>
    <${Field} label="Customer"><select value=${customer} onChange=${(e) => setCustomer(e.target.value)}>
      ${[...ctx.customers].map(([id, name]) => html`<option value=${id}>${name}</option>`)}</select></${Field}>
    <${Loading} state=${state}>${(rows) => rows.length > 0 && html`
      <${ChartCanvas} labelText="Available credit and outstanding balance at each month end" config=${{ type: "line", data: { labels: dates, datasets: [
        { label: "Available credit", borderColor: "#2e9e6b", backgroundColor: "#2e9e6b", data: rows.map((r) => Number(r.available_credit)) },
        { label: "Outstanding balance", borderColor: "#3b6fb6", backgroundColor: "#3b6fb6", data: rows.map((r) => Number(r.outstanding_balance)) }] } }} />
      <table><caption>Balances at each month end</caption>
        <thead><tr><th scope="col">As of</th><th scope="col" class="num">Available credit</th><th scope="col" class="num">Outstanding balance</th></tr></thead>
        <tbody>${rows.map((r, i) => html`<tr><td>${dates[i]}</td><td class="num"><${Money} value=${r.available_credit} /></td><td class="num"><${Money} value=${r.outstanding_balance} /></td></tr>`)}</tbody></table>`}
    </${Loading}>
  </section>`;
}
