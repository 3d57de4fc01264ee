// Settings and roles: everyone sees the credits and sync switches; only vendor staff switch them on, others are told
// to ask support. Switching two-way credit sync on for a connected account starts a job that pushes every credit
// and use: its progress shows under the switch until it ends. Roles and users for those with manage_roles.
import { useEffect, useState } from "preact/hooks";
import { get, patch, post, api } from "./api.js";
import { html, useMe, useLoad, useAction, Loading, ErrorBox, Field, Link, can } from "./ui.js";
import { useJob, JobProgress, CREDIT_SYNC_JOB } from "./jobs.js";

const PERMISSIONS = [["view_credits", "View Credits"], ["create_credits", "Create Credits"], ["edit_credits", "Edit Credits"],
  ["delete_credits", "Delete Credits"], ["receive_payments", "Receive Payments"], ["manage_sales", "Manage Sales"],
  ["manage_roles", "Manage Roles"], ["manage_integration", "Manage Integration"]];
const permissionName = (p) => (PERMISSIONS.find(([k]) => k === p) || [p, p])[1];

export function SettingsPage() {
  const ctx = useMe();
  const action = useAction();
  const [threshold, setThreshold] = useState(ctx.settings.credit_balance_warning_threshold || "");
  const [started, setStarted] = useState(null); // the credit sync job the switch just started
  const change = (body) => action.act(async () => {
    const answer = await patch("/settings", body);
    if (answer.qbo_sync_job) {
      sessionStorage.setItem(CREDIT_SYNC_JOB, answer.qbo_sync_job.id); // followed after the reload below too
      setStarted(answer.qbo_sync_job);
    }
    await ctx.reloadMe();
  });
  const s = ctx.settings;
  const [asked, setAsked] = useState({}); // a switch shows the position asked for while the change is on its way
  const flip = async (name, value) => {
    setAsked({ [name]: value });
    await change({ [name]: value });
    setAsked({});
  };
  const shown = (name) => (name in asked ? asked[name] : s[name]);
  const toggle = (name, text, hint) => html`<div class="switch-row">
    <label class="switch"><input type="checkbox" role="switch" checked=${shown(name)} disabled=${action.busy || (!ctx.me.staff && !s[name])}
      onChange=${(e) => flip(name, e.target.checked)} /> ${text}</label>
    <small>${hint}</small></div>`;
  return html`<section aria-labelledby="settings-title"><h1 id="settings-title">Settings</h1>
    <fieldset><legend>Features</legend>
      ${toggle("credits_enabled", "Credits", "Issue, track and apply customer credits.")}
      ${toggle("qbo_credit_sync", "QuickBooks credit sync", "On: credits and their uses sync both ways with QuickBooks Online. Off: a connected account syncs one way (customers, invoices and payments); credits stay here.")}
      ${ctx.me.staff && html`<${CreditSyncProgress} started=${started} />`}
      ${!ctx.me.staff && html`<p class="note" role="note">Only a Distru teammate can switch these on: ask your Customer Success Manager or support.</p>`}
    </fieldset>
    ${can(ctx.me, "manage_sales") || ctx.me.staff ? html`<form class="inline-form" onSubmit=${(e) => { e.preventDefault(); change({ credit_balance_warning_threshold: threshold || null }); }}>
      <${Field} label="Credit balance warning threshold"><input inputmode="decimal" value=${threshold} onInput=${(e) => setThreshold(e.target.value)} /></${Field}>
      <button type="submit" class="secondary" disabled=${action.busy}>Save threshold</button></form>` : ""}
    <${ErrorBox} error=${action.error} />
    ${can(ctx.me, "manage_roles") && html`<${Roles} />`}
  </section>`;
}

// The job that pushes every credit and use after the switch (staff): its bar until it ends, then where to look.
function CreditSyncProgress({ started }) {
  const sync = useJob(CREDIT_SYNC_JOB);
  useEffect(() => { if (started) sync.follow(started); }, [started]);
  if (!sync.job && !sync.error) return null;
  return html`<div class="switch-job">
    <${JobProgress} job=${sync.job} error=${sync.error} name="Credit sync progress" testId="credit-sync" />
    ${sync.job && sync.job.status !== "running" && html`<p><small>The <${Link} to="/qbo">QuickBooks panel</${Link}> shows the sync mode and anything QuickBooks refused.</small></p>`}
  </div>`;
}

function Roles() {
  const roles = useLoad(() => get("/roles?limit=100"), []);
  const users = useLoad(() => get("/users?limit=100"), []);
  const [form, setForm] = useState({ name: "", permissions: [] });
  const [assign, setAssign] = useState({ user_id: "", role_id: "" });
  const action = useAction();
  const flip = (p) => (e) => setForm({ ...form, permissions: e.target.checked ? [...form.permissions, p] : form.permissions.filter((x) => x !== p) });
  const createRole = (e) => { e.preventDefault(); action.act(async () => { await post("/roles", form); setForm({ name: "", permissions: [] }); roles.reload(); }); };
  const assignRole = (e) => { e.preventDefault(); action.act(async () => { await api("PUT", `/users/${encodeURIComponent(assign.user_id)}`, { body: { role_id: assign.role_id } }); users.reload(); }); };
  return html`<section aria-labelledby="roles-title"><h2 id="roles-title">Roles</h2>
    <${Loading} state=${roles}>${(page) => html`<table><caption class="visually-hidden">Roles</caption>
      <thead><tr><th scope="col">Role</th><th scope="col">Permissions</th></tr></thead>
      <tbody>${page.data.map((r) => html`<tr><td>${r.name}</td><td>${r.permissions.map(permissionName).join(", ")}</td></tr>`)}</tbody></table>`}</${Loading}>
    <form onSubmit=${createRole} aria-label="New role"><h3>New role</h3>
      <${Field} label="Role name"><input required value=${form.name} onInput=${(e) => setForm({ ...form, name: e.target.value })} /></${Field}>
      <fieldset><legend>Permissions</legend>${PERMISSIONS.map(([p, text]) => html`<label class="choice"><input type="checkbox" checked=${form.permissions.includes(p)} onChange=${flip(p)} /> ${text}</label>`)}</fieldset>
      <button type="submit" disabled=${action.busy}>Create role</button></form>
    <h2>Users</h2>
    <${Loading} state=${users}>${(page) => html`<table><caption class="visually-hidden">Users</caption>
      <thead><tr><th scope="col">User</th><th scope="col">Role</th></tr></thead>
      <tbody>${page.data.map((u) => html`<tr><td>${u.user_id}</td><td>${u.role_id}</td></tr>`)}</tbody></table>`}</${Loading}>
    <form class="inline-form" onSubmit=${assignRole} aria-label="Assign a role">
      <${Field} label="User ID"><input required value=${assign.user_id} onInput=${(e) => setAssign({ ...assign, user_id: e.target.value })} /></${Field}>
      <${Field} label="Role"><select required value=${assign.role_id} onChange=${(e) => setAssign({ ...assign, role_id: e.target.value })}>
        <option value="">Choose a role</option>${((roles.data && roles.data.data) || []).map((r) => html`<option value=${r.id}>${r.name}</option>`)}</select></${Field}>
      <button type="submit" disabled=${action.busy}>Assign role</button></form>
    <${ErrorBox} error=${action.error} />
  </section>`;
}
