// The credits console: a single-page app over the public API (hash routes, one page load).
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { adoptTokenFromFragment, all, get, session } from "./api.js";
import { html, Me, useLoad, ErrorBox, can } from "./ui.js";
import { CreditsPage, CreditPage } from "./credits.js";
import { CustomersPage, CustomerPage, SalesOrderPage, InvoicePage } from "./sales.js";
import { SettingsPage } from "./admin.js";
import { QboPage } from "./qbo.js";
import { lazy } from "./ui.js";

const ReportsPage = lazy(() => import("./reports.js"), "ReportsPage"); // Chart.js arrives with this screen only

function useRoute() {
  const read = () => (window.location.hash.replace(/^#\/?/, "") || "").split("/").filter(Boolean);
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

function SignIn({ error }) {
  const [token, setToken] = useState("");
  const submit = (e) => { e.preventDefault(); session.signIn(token); window.location.hash = "#/"; window.location.reload(); };
  return html`<main class="sign-in" aria-labelledby="sign-in-title"><h1 id="sign-in-title">Credits console</h1>
    <${ErrorBox} error=${error} />
    <form onSubmit=${submit}>
      <label class="field"><span>Bearer token</span><textarea required rows="4" value=${token} onInput=${(e) => setToken(e.target.value)}></textarea>
        <small>Open the console link the <code>make run</code> banner prints, or paste a token. It stays in this tab only.</small></label>
      <button type="submit">Sign in</button>
    </form></main>`;
}

function pages(me) {
  const credits = me.sees_credits;
  const sales = can(me, "manage_sales") || can(me, "receive_payments") || credits;
  return [
    credits && ["credits", "Credits"],
    sales && ["customers", "Customers"],
    credits && ["reports", "Reports"],
    ["qbo", "QuickBooks"],
    ["settings", "Settings"],
  ].filter(Boolean);
}

function Screen({ route, me }) {
  const [name, id] = route;
  const credits = me.sees_credits;
  if (name === "credits" && credits) return id ? html`<${CreditPage} id=${id} />` : html`<${CreditsPage} />`;
  if (name === "customers") return id ? html`<${CustomerPage} id=${id} />` : html`<${CustomersPage} />`;
  if (name === "invoices" && id) return html`<${InvoicePage} id=${id} />`;
  if (name === "sales-orders" && id) return html`<${SalesOrderPage} id=${id} />`;
  if (name === "reports" && credits) return html`<${ReportsPage} />`;
  if (name === "qbo") return html`<${QboPage} />`;
  if (name === "settings") return html`<${SettingsPage} />`;
  const first = pages(me)[0];
  if (!name && first) { window.location.replace("#/" + first[0]); return null; }
  return html`<section><h1>Not here</h1><p>This page does not exist, or your role does not show it.</p></section>`;
}

function App() {
  const route = useRoute();
  const me = useLoad(() => (session.token() ? Promise.all([get("/me"), get("/settings")]) : Promise.resolve(null)), []);
  const [customers, setCustomers] = useState(new Map());
  const reloadCustomers = useCallback(async () => {
    const rows = await all("/customers");
    setCustomers(new Map(rows.map((c) => [c.id, c.name])));
  }, []);
  const ready = me.data && !me.loading;
  useEffect(() => { if (me.data) reloadCustomers().catch(() => setCustomers(new Map())); }, [me.data]);
  if (!session.token() || (me.error && me.error.status === 401)) return html`<${SignIn} error=${me.error} />`;
  if (me.error) return html`<main><${ErrorBox} error=${me.error} /></main>`;
  if (!me.data) return html`<main><p role="status">Loading…</p></main>`;
  const [who, settings] = me.data;
  const ctx = { me: who, settings, customers, reloadCustomers, reloadMe: me.reload };
  const current = route[0] || "";
  return html`<${Me.Provider} value=${ctx}>
    <header class="top">
      <a class="skip" href="#main">Skip to content</a>
      <strong class="brand">Credits console</strong>
      <nav aria-label="Main"><ul>${pages(who).map(([key, text]) => html`<li><a href=${"#/" + key} aria-current=${current === key ? "page" : null}>${text}</a></li>`)}
        <li><a href="../docs">API docs</a></li></ul></nav>
      <span class="who">${who.user_id}${who.staff ? " (staff)" : ""}</span>
      <button type="button" class="plain" onClick=${() => { session.signOut(); window.location.reload(); }}>Sign out</button>
    </header>
    <main id="main" tabindex="-1">${ready ? html`<${Screen} route=${route} me=${who} />` : ""}</main>
  </${Me.Provider}>`;
}

adoptTokenFromFragment();
render(html`<${App} />`, document.getElementById("app"));
