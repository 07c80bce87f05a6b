// The live board: polls GET live (who is coding now) and GET live?board=<board> every few seconds with
// If-None-Match, so an unchanged answer is a 304 without a body, and redraws what changed. Every value from
// the server is put into the page with textContent, never as HTML, so a name cannot inject markup.
"use strict";

(function () {
  const POLL_MS = 3000;
  const BOARDS = ["day", "week", "month", "allTime", "last24h"];
  const tags = new Map(); // url -> [etag, body]
  let board = BOARDS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "day";
  let previousRanks = new Map(); // userId -> rank at the last redraw of this board
  let timer = null;
  let generation = 0;
  let drawnBoard = null; // the board the list shows
  let drawnCodingNow = false;

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const hours = Math.floor(minutes / 60);
    if (hours > 0) return hours + "h " + (minutes % 60) + "m";
    if (minutes > 0) return minutes + "m";
    return Math.floor(seconds) + "s";
  }

  function since(iso) {
    const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
    return minutes < 1 ? "just started" : "for " + duration(minutes * 60);
  }

  // The body of url: fresh when it changed, the one we hold when the server answers 304.
  async function fetchJson(url) {
    const held = tags.get(url);
    const headers = held ? { "If-None-Match": held[0] } : {};
    const response = await fetch(url, { headers, cache: "no-store" });
    if (response.status === 304 && held) return { body: held[1], changed: false };
    if (!response.ok) throw new Error(url + " answered " + response.status);
    const body = await response.json();
    const etag = response.headers.get("ETag");
    if (etag) tags.set(url, [etag, body]);
    return { body, changed: true };
  }

  function codingNowItem(user) {
    const item = el("li", "coder");
    item.dataset.userId = user.userId;
    item.append(el("span", "dot", "●"), el("span", "name", user.displayName));
    const what = [user.language, user.editor].filter(Boolean).join(" · ");
    if (what) item.append(el("span", "language", what));
    item.append(el("span", "since", since(user.since)), el("span", "today", duration(user.todayTime) + " today"));
    return item;
  }

  function drawCodingNow(live) {
    $("coding-now").replaceChildren(...live.users.map(codingNowItem));
    $("coding-now-count").textContent = String(live.count);
    $("coding-now-empty").hidden = live.users.length > 0;
  }

  function delta(entry) {
    if (entry.previousRank === null) return el("span", "delta new", "new");
    if (entry.rankDelta > 0) return el("span", "delta up", "▲" + entry.rankDelta);
    if (entry.rankDelta < 0) return el("span", "delta down", "▼" + -entry.rankDelta);
    return el("span", "delta same", "–");
  }

  function boardRow(entry) {
    const row = el("li", "entry");
    row.dataset.userId = entry.userId;
    row.append(el("span", "rank", String(entry.rank)), delta(entry));
    const who = el("span", "who");
    who.append(el("span", "name", entry.displayName));
    if (entry.live) {
      const marker = el("span", "coding-now", "coding now" + (entry.language ? " · " + entry.language : ""));
      marker.title = "Coding now: this total includes the session in progress";
      who.append(marker);
    }
    row.append(who, el("span", "total", duration(entry.totalTime)));
    const before = previousRanks.get(entry.userId);
    if (before !== undefined && before !== entry.rank) row.classList.add(before > entry.rank ? "moved-up" : "moved-down");
    if (entry.live) row.classList.add("live");
    return row;
  }

  function drawBoard(view) {
    $("board").replaceChildren(...view.entries.map(boardRow));
    $("board-empty").hidden = view.entries.length > 0;
    const range = view.start && view.end ? view.periodKey + " (" + view.timezone + ")" : "since the beginning";
    $("period").textContent = view.timeframe === "last24h" ? "The last 24 hours" : range;
    previousRanks = new Map(view.entries.map((entry) => [entry.userId, entry.rank]));
  }

  // Each poll supersedes the one before (a tab change, the page coming back into view): only the latest draws
  // and schedules the next, so there is always one loop.
  async function poll() {
    clearTimeout(timer);
    const mine = ++generation;
    const shown = board;
    try {
      const [live, view] = await Promise.all([fetchJson("live"), fetchJson("live?board=" + encodeURIComponent(shown))]);
      if (mine !== generation) return;
      if (live.changed || !drawnCodingNow) drawCodingNow(live.body);
      if (view.changed || drawnBoard !== shown) drawBoard(view.body);
      drawnCodingNow = true;
      drawnBoard = shown;
      $("status").textContent = "Live · updated " + new Date().toLocaleTimeString();
      $("status").classList.remove("error");
    } catch (error) {
      if (mine !== generation) return;
      $("status").textContent = "Cannot reach the server, retrying… (" + error.message + ")";
      $("status").classList.add("error");
    } finally {
      if (mine === generation) timer = setTimeout(poll, document.hidden ? POLL_MS * 5 : POLL_MS);
    }
  }

  function select(name) {
    board = name;
    previousRanks = new Map();
    for (const tab of document.querySelectorAll("[data-board]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.board === name));
    }
    history.replaceState(null, "", "#" + name);
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const tab of document.querySelectorAll("[data-board]")) {
      tab.addEventListener("click", () => select(tab.dataset.board));
    }
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) poll();
    });
    select(board);
  });
})();
