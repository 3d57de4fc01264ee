// QuickBooks jobs followed live (staff): a mass re-sync, the switch to two-way credit sync. The job's id is kept in
// this tab's sessionStorage, so its progress is still shown after a reload or on another screen; while it runs it is
// read again once a second (GET /qbo/jobs/{id}), and the bar stays at its last answer once it ends.
import { useEffect, useRef, useState } from "preact/hooks";
import { get } from "./api.js";
import { html, label, ErrorBox } from "./ui.js";

export const RESYNC_JOB = "credits-console-resync";
export const CREDIT_SYNC_JOB = "credits-console-credit-sync";

// {job, error, follow(started), watched}: `watched` once this hook has seen the job running; `onEnd(job)` runs once
// when a job it watched running stops running.
export function useJob(storageKey, onEnd) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const watching = useRef(false);
  const running = Boolean(job && job.status === "running");
  useEffect(() => {
    if (running) watching.current = true;
    if (job && !running && watching.current === true) {
      watching.current = "ended";
      if (onEnd) onEnd(job);
    }
    const id = job ? job.id : sessionStorage.getItem(storageKey);
    if (!id || (job && job.status !== "running")) return undefined;
    const timer = setTimeout(() => get(`/qbo/jobs/${encodeURIComponent(id)}`).then(setJob, (e) => {
      if (e.status === 404 && !job) sessionStorage.removeItem(storageKey); // another account's job, long gone
      else setError(e);
    }), job ? 1000 : 0);
    return () => clearTimeout(timer);
  }, [job]);
  const follow = (started) => {
    sessionStorage.setItem(storageKey, started.id);
    setError(null);
    setJob(started);
  };
  return { job, error, follow, watched: running || watching.current !== false };
}

// The job's bar and its counts as the API gives them; `name` labels the bar, `testId` names its parts.
export function JobProgress({ job, error, name, testId }) {
  if (!job) return html`<${ErrorBox} error=${error} />`;
  const id = `${testId}-progress`;
  return html`<div class="progress">
    <label for=${id}>${name}</label>
    <progress id=${id} max=${job.total || 1} value=${job.done}>${job.done} of ${job.total}</progress>
    <p role="status" data-testid=${`${testId}-status`}>${label(job.status)}: ${job.done} of ${job.total} done, ${job.failed} failed${job.stopped ? ` (stopped: ${job.stopped})` : ""}</p>
    ${job.errors && job.errors.length > 0 && html`<ul>${job.errors.map((e) => html`<li>${e.object_type} ${e.object_id}: ${e.code ? html`<code>${e.code}</code> ` : ""}${e.message}</li>`)}</ul>`}
    <${ErrorBox} error=${error} />
  </div>`;
}
