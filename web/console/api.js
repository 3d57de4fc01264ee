// The console's one way to the API: same origin, bearer token from this tab's sessionStorage, the API's error shape.
const TOKEN_KEY = "credits-console-token";

// /console/ is served beside the API: one level up is the API's base (API Gateway may put a stage before both).
export const apiBase = new URL("..", window.location.href).href.replace(/\/$/, "");

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `the API answered ${status}`);
    this.status = status;
    this.code = error.code || "http_" + status;
    this.details = error.details || {};
  }
}

// A link from the `make run` banner carries the token in the fragment (#token=...), which browsers never send to a
// server; it is moved into sessionStorage (this tab only) and removed from the address bar and history.
export function adoptTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", window.location.pathname + window.location.search + "#/");
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token.trim().replace(/^Bearer\s+/i, "")),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

// method, path (with its query), JSON body; `accept: "text/csv"` answers a Blob. Every mutating call carries a
// fresh Idempotency-Key, so a request the network repeats takes effect once.
export async function api(method, path, { body, accept } = {}) {
  const headers = { Accept: accept || "application/json", Authorization: `Bearer ${session.token() || ""}` };
  const init = { method, headers };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = newKey();
    init.body = JSON.stringify(body || {});
  }
  const response = await fetch(apiBase + path, init);
  if (response.ok && accept === "text/csv") return response.blob();
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (_) {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, { body });
export const patch = (path, body) => api("PATCH", path, { body });
export const del = (path) => api("DELETE", path);

// Every page of a list (the console's few lists of names: customers), at most `max` rows.
export async function all(path, max = 500) {
  const rows = [];
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(path + sep + "limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && rows.length < max);
  return rows;
}
