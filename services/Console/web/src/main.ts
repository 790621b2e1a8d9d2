// The console's entry: asks who the caller is (a login prompt when authentication is on and no key is held), opens
// the live alert stream at once, and routes between the pages by the URL's fragment (#/, #/models/NAME, #/alerts, #/jobs).
import { get, setToken, token, whenUnauthenticated } from "./api";
import { disposeCharts } from "./charts";
import { AlertStream } from "./live";
import { alertsPage } from "./pages/alerts";
import { jobsPage } from "./pages/jobs";
import { modelPage } from "./pages/model";
import { overview } from "./pages/overview";
import type { WhoAmI } from "./types";
import { $, errorBox, esc } from "./ui";

export interface Context {
  who: WhoAmI;
  alerts: AlertStream;
}

let leave: (() => void) | null = null;
// Counts navigations: a page whose first load was still running when the next navigation came must stop at once.
let navigation = 0;
let context: Context | null = null;

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem("cascade.theme", theme);
}

function showLogin(message?: string): void {
  leave?.();
  leave = null;
  context?.alerts.stop();
  context = null;
  $("#who").textContent = "";
  $("#signout").hidden = true;
  $("#live").dataset.state = "refused";
  $("#live").textContent = "signed out";
  $("#main").innerHTML = `<form id="login" class="login">
      <h1>Sign in</h1>
      <p>This Cascade requires a key or token. Create a key with <code>./cascade keys create --role reader</code> (or operator, to act).</p>
      <label>API key or token <input id="login-token" type="password" autocomplete="off" required></label>
      <button type="submit">Sign in</button>
      ${message ? `<p class="error">${esc(message)}</p>` : ""}
      <p class="muted small">Kept in this tab only (sessionStorage).</p>
    </form>`;
  $("#login").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken(($("#login-token") as HTMLInputElement).value.trim());
    void start();
  });
}

async function route(): Promise<void> {
  if (!context) return;
  leave?.();
  leave = null;
  disposeCharts();
  // Each page renders into an element of its own, replaced at the next navigation: what a page still writes once the
  // user has moved on (a load that was in flight) lands in its detached element, never in the next page.
  const mine = ++navigation;
  const view = document.createElement("div");
  $("#main").replaceChildren(view);
  const hash = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  document.querySelectorAll<HTMLAnchorElement>("nav a").forEach((a) => a.classList.toggle("active", hash.startsWith(`/${a.dataset.nav}`) || (hash === "/" && a.dataset.nav === "overview")));
  try {
    const model = /^\/models\/(.+)$/.exec(hash);
    const cleanup = model ? await modelPage(view, context, model[1])
      : hash.startsWith("/alerts") ? await alertsPage(view, context)
      : hash.startsWith("/jobs") ? await jobsPage(view, context)
      : await overview(view, context);
    // The user navigated while this page loaded: its timers and subscriptions would otherwise run on, unowned.
    if (mine === navigation) leave = cleanup;
    else cleanup();
  } catch (e) {
    if (mine === navigation) view.innerHTML = errorBox(e);
  }
}

function showLive(alerts: AlertStream): void {
  const el = $("#live");
  el.dataset.state = alerts.state;
  el.textContent = alerts.state === "live" ? "● live" : alerts.state;
}

async function start(): Promise<void> {
  let who: WhoAmI;
  try {
    who = await get<WhoAmI>("/console/api/whoami");
  } catch (e) {
    $("#main").innerHTML = errorBox(e);
    return;
  }
  if (!who.authenticated) {
    const had = token();
    setToken(null);
    showLogin(had ? `That key or token was refused (${who.refused ?? "not valid"}).` : undefined);
    return;
  }
  const alerts = new AlertStream(who.models);
  context = { who, alerts };
  $("#who").textContent = who.authEnabled ? `${who.name} (${who.role ?? "no role"})` : "authentication off";
  $("#signout").hidden = !who.authEnabled;
  alerts.onChange(() => showLive(alerts));
  alerts.start();
  await route();
}

applyTheme(localStorage.getItem("cascade.theme") ?? (matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark"));
document.addEventListener("DOMContentLoaded", () => {
  $("#theme").addEventListener("click", () => {
    applyTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark");
    void route(); // charts take their colours when drawn
  });
  $("#signout").addEventListener("click", () => {
    setToken(null);
    showLogin();
  });
  whenUnauthenticated(() => {
    if (context) showLogin("Your key or token is no longer accepted.");
  });
  window.addEventListener("hashchange", () => void route());
  void start();
});
