// The training room's page: it shows the state the room serves (long-polled)
// and posts what a person does on a phone. No framework, no build step.
"use strict";

const $ = (sel, el = document) => el.querySelector(sel);
let state = null;
let version = "";
const rendered = {}; // phone id → JSON of the messages last drawn
const narrow = window.matchMedia("(max-width: 760px)");

// Which phones are shown: ?phones=lan,hai, else the last choice, else the
// leaders and the two officials.
function initialShown() {
  const q = new URLSearchParams(location.search).get("phones");
  if (q) return new Set(q.split(","));
  try {
    const saved = JSON.parse(localStorage.getItem("phones") || "null");
    if (Array.isArray(saved) && saved.length) return new Set(saved);
  } catch (e) { /* a broken saved choice is no choice */ }
  return new Set(["lan", "minh", "hai", "hoa"]);
}
let shown = initialShown();

async function act(name, body = {}) {
  let res;
  try {
    res = await fetch("/api/" + name, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    notice(String(e));
    return false;
  }
  if (!res.ok) {
    let msg = res.statusText;
    try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
    notice(msg);
    return false;
  }
  return true;
}

let noticeTimer = 0;
function notice(text) {
  const el = $("#notice");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.hidden = true; }, 8000);
}

async function poll() {
  for (;;) {
    try {
      const res = await fetch("/api/state?v=" + encodeURIComponent(version), { cache: "no-store" });
      if (res.ok) {
        const next = await res.json();
        version = next.v;
        if (state && state.session !== next.session) {
          for (const k of Object.keys(rendered)) delete rendered[k];
        }
        state = next;
        render();
        continue;
      }
    } catch (e) { /* the room restarting: try again shortly */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function t(key) { return (state && state.texts[key]) || ""; }

function render() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  $("#title").textContent = t("title");
  $("#subtitle").textContent = t("subtitle");
  $("#clock-label").textContent = t("clock") + ":";
  $("#clock").textContent = state.clock;
  $("#jump-friday").textContent = t("friday");
  $("#jump-monday").textContent = t("monday");
  $("#jump-hours").textContent = t("plus_hours");
  $("#hours-label").textContent = t("hours");
  $("#restart").textContent = t("restart");
  if (!$("#reset").classList.contains("armed")) $("#reset").textContent = t("reset");
  $("#lang").textContent = t("lang");
  $("#exercises-title").textContent = t("exercises");
  renderExercises();
  renderChips();
  for (const p of state.phones) renderPhone(p);
}

function renderExercises() {
  const list = $("#exercises");
  list.replaceChildren();
  for (const ex of state.exercises) {
    const li = document.createElement("li");
    li.id = "ex-" + ex.id;
    li.className = ex.done ? "done" : "";
    const title = document.createElement("div");
    title.className = "ex-title";
    title.innerHTML = '<span class="tick"></span><span></span>';
    title.firstChild.textContent = ex.done ? "✔" : "○";
    title.lastChild.textContent = ex.title;
    title.addEventListener("click", () => highlight(ex.phone));
    li.append(title);
    if (ex.done) {
      const s = document.createElement("div");
      s.className = "state";
      s.textContent = t("done");
      li.append(s);
    }
    const steps = document.createElement("ol");
    for (const step of ex.steps) {
      const item = document.createElement("li");
      item.textContent = step;
      steps.append(item);
    }
    li.append(steps);
    list.append(li);
  }
}

function highlight(id) {
  if (!shown.has(id)) {
    if (narrow.matches) shown = new Set();
    shown.add(id);
    saveShown();
    render();
  }
  const el = document.getElementById("phone-" + id);
  el.classList.add("highlight");
  el.scrollIntoView({ behavior: "smooth", block: "nearest" });
  setTimeout(() => el.classList.remove("highlight"), 2500);
}

function saveShown() {
  try { localStorage.setItem("phones", JSON.stringify([...shown])); } catch (e) { /* private mode */ }
}

function renderChips() {
  const nav = $("#chips");
  nav.replaceChildren();
  if (narrow.matches && shown.size > 1) shown = new Set([[...shown][0]]);
  for (const p of state.phones) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = "chip-" + p.id;
    b.textContent = p.name + " · " + p.who;
    b.setAttribute("aria-pressed", shown.has(p.id) ? "true" : "false");
    b.addEventListener("click", () => {
      if (narrow.matches) shown = new Set([p.id]);
      else if (shown.has(p.id)) shown.delete(p.id);
      else shown.add(p.id);
      saveShown();
      render();
    });
    nav.append(b);
  }
}

function phoneElement(p) {
  let el = document.getElementById("phone-" + p.id);
  if (el) return el;
  el = document.createElement("article");
  el.id = "phone-" + p.id;
  el.className = "phone";
  el.innerHTML =
    '<header><div class="name"></div><div class="who"></div>' +
    '<div class="switch"><button type="button" data-platform="telegram"></button>' +
    '<button type="button" data-platform="zalo"></button></div></header>' +
    '<div class="hint"></div><div class="msgs" aria-live="polite"></div>' +
    '<div class="invite" hidden><button type="button"></button></div>' +
    '<form class="compose"><input type="text" autocomplete="off" enterkeyhint="send">' +
    '<button type="button" class="photo" title="">📷</button>' +
    '<button type="submit" class="send"></button></form>';
  for (const b of el.querySelectorAll(".switch button")) {
    b.addEventListener("click", () => act("platform", { phone: p.id, platform: b.dataset.platform }));
  }
  $(".invite button", el).addEventListener("click", () => act("invite", { phone: p.id }));
  $(".photo", el).addEventListener("click", () => act("photo", { phone: p.id }));
  $(".compose", el).addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("input", el);
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    if (!(await act("send", { phone: p.id, text }))) input.value = text;
    input.focus();
  });
  $("#phones").append(el);
  return el;
}

function renderPhone(p) {
  const el = phoneElement(p);
  el.hidden = !shown.has(p.id);
  el.classList.toggle("zalo", p.platform === "zalo");
  el.classList.toggle("telegram", p.platform !== "zalo");
  el.dataset.platform = p.platform;
  $(".name", el).textContent = p.name;
  $(".who", el).textContent = p.who;
  for (const b of el.querySelectorAll(".switch button")) {
    b.textContent = t(b.dataset.platform);
    b.setAttribute("aria-pressed", b.dataset.platform === p.platform ? "true" : "false");
  }
  const hint = $(".hint", el);
  hint.textContent = t("hint_zalo");
  hint.hidden = p.platform !== "zalo";
  const invite = $(".invite", el);
  invite.hidden = !p.newcomer;
  $("button", invite).textContent = t("open_invite");
  $(".photo", el).title = t("photo");
  $(".send", el).textContent = t("send");
  $("input", el).placeholder = t("placeholder");

  const key = p.platform + JSON.stringify(p.messages);
  if (rendered[p.id] === key) return;
  rendered[p.id] = key;
  const box = $(".msgs", el);
  box.replaceChildren(...p.messages.map((m) => messageElement(p, m)));
  box.scrollTop = box.scrollHeight;
}

function messageElement(p, m) {
  const div = document.createElement("div");
  div.className = "msg " + (m.mine ? "mine" : "bot");
  div.dataset.id = m.id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  appendLinked(bubble, m.text);
  if (m.image) {
    const img = document.createElement("img");
    img.src = m.image;
    img.alt = m.file || "";
    bubble.append(img);
  }
  if (m.file && m.href && !m.image) {
    const a = document.createElement("a");
    a.className = "file";
    a.href = m.href;
    a.textContent = "📎 " + m.file;
    bubble.append(document.createElement("br"), a);
  }
  div.append(bubble);
  if (m.buttons && m.buttons.length) {
    const kb = document.createElement("div");
    kb.className = "kb";
    for (const row of m.buttons) {
      const r = document.createElement("div");
      r.className = "kbrow";
      for (const b of row) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.text;
        btn.addEventListener("click", () => act("press", { phone: p.id, message: Number(m.id), data: b.data }));
        r.append(btn);
      }
      kb.append(r);
    }
    div.append(kb);
  }
  return div;
}

// appendLinked writes text with its web addresses as links; the room's own
// file links become paths, so they work from any address the page is on.
function appendLinked(el, text) {
  const re = /https?:\/\/[^\s)]+/g;
  let last = 0;
  for (const match of text.matchAll(re)) {
    el.append(text.slice(last, match.index));
    const a = document.createElement("a");
    let href = match[0];
    try {
      const u = new URL(href);
      if (u.pathname.startsWith("/f/")) href = u.pathname + u.search;
    } catch (e) { /* not a URL after all */ }
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = match[0];
    el.append(a);
    last = match.index + match[0].length;
  }
  el.append(text.slice(last));
}

$("#jump-friday").addEventListener("click", () => act("clock", { to: "friday" }));
$("#jump-monday").addEventListener("click", () => act("clock", { to: "monday" }));
$("#jump-hours").addEventListener("click", () => act("clock", { to: "hours", hours: Number($("#hours").value) }));
$("#restart").addEventListener("click", async () => {
  if (await act("restart")) notice(t("restarted"));
});
let resetTimer = 0;
$("#reset").addEventListener("click", async () => {
  const b = $("#reset");
  if (!b.classList.contains("armed")) {
    b.classList.add("armed");
    b.textContent = t("reset_confirm");
    resetTimer = setTimeout(() => { b.classList.remove("armed"); b.textContent = t("reset"); }, 6000);
    return;
  }
  clearTimeout(resetTimer);
  b.classList.remove("armed");
  b.textContent = t("reset");
  await act("reset");
});
$("#lang").addEventListener("click", () => act("lang", { lang: state && state.lang === "vi" ? "en" : "vi" }));
narrow.addEventListener("change", () => state && render());
poll();
