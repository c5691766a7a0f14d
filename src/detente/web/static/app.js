/* detente dashboard: plain JavaScript over the HTTP API of the same origin (no build step).
   Charts: Apache ECharts (SVG renderer); world shapes: world-atlas through topojson-client.
   Every value shown comes from an API response; text from the store goes in as text, never HTML. */
"use strict";
(function () {
  const API = document.querySelector('meta[name="detente-api"]').content;
  const PREFIX = document.querySelector('link[rel="stylesheet"]').getAttribute("href").replace(/\/static\/style\.css$/, "");
  const PAGE = 1000; // rows per API page when a view needs a whole list
  const CAP = 20000; // at most this many rows of one list, whatever the store holds
  const QUADS = [
    ["statements", "Statements", "#9aa5b1"],
    ["verbal_coop", "Verbal cooperation", "#5b8def"],
    ["material_coop", "Material cooperation", "#2ca58d"],
    ["verbal_conflict", "Verbal conflict", "#f2a541"],
    ["material_conflict", "Material conflict", "#d64545"],
  ];
  // PLOVER types in codebook order, cooperation in blues and greens, conflict in oranges and reds
  const PLOVER_COLORS = {
    AGREE: "#1f5fa8", CONSULT: "#5b8def", SUPPORT: "#41b6c4", CONCEDE: "#7fcdbb", COOPERATE: "#2ca58d",
    AID: "#1b9e77", RETREAT: "#a1d99b", REQUEST: "#9ecae1", ACCUSE: "#f2a541", REJECT: "#fdd0a2",
    THREATEN: "#e6550d", PROTEST: "#fd8d3c", SANCTION: "#a63603", MOBILIZE: "#c44e52", COERCE: "#b2182b",
    ASSAULT: "#d64545", OTHER: "#bdbdbd",
  };
  const PLOVER = Object.keys(PLOVER_COLORS);
  const GOLDSTEIN = ["#c0392b", "#e67e5b", "#d9d9d9", "#6fa8dc", "#1f5fa8"]; // -10 .. +10
  const $ = (sel, el) => (el || document).querySelector(sel);
  const charts = {};
  let countryNames = {}; // ISO alpha-3 -> name, from the world shapes
  let worldReady = null;
  let eventsOffset = 0;
  let renders = 0;
  let cameFrom = ""; // the last view shown before an article

  // ---------- small helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? "–" : Number(n).toLocaleString("en"));
  const fmt1 = (n) => (n === null || n === undefined || Number.isNaN(n) ? "–" : Number(n).toFixed(1));
  const day = (v) => (v ? String(v).slice(0, 10) : "");
  const none = (v) => v === null || v === undefined || v === "";
  // ECharts tooltips are HTML: every value from the store goes in escaped
  const esc = (v) => String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const plural = (n, word) => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;

  function status(text, bad) {
    const s = $("#status");
    s.textContent = text || "";
    s.classList.toggle("bad", !!bad);
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (!none(v)) q.set(k, v);
    const s = q.toString().replace(/%2C/gi, ","); // dyads read SOURCE,TARGET in the address bar too
    return s ? "?" + s : "";
  }

  async function api(path, params, init) {
    const url = API + path + query(params);
    const res = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, init || {}));
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      const detail = body && body.detail !== undefined ? body.detail : res.statusText;
      const msg = typeof detail === "string" ? detail : JSON.stringify(detail);
      throw new Error(`${init && init.method ? init.method : "GET"} ${path}: ${res.status} ${msg}`);
    }
    return body;
  }

  // every item of a paginated list ({total, limit, offset, items}), up to CAP
  async function all(path, params, cap) {
    const items = [];
    let total = Infinity;
    while (items.length < Math.min(total, cap || CAP)) {
      const page = await api(path, Object.assign({}, params, { limit: PAGE, offset: items.length }));
      total = page.total;
      items.push(...page.items);
      if (!page.items.length) break;
    }
    return { items, total };
  }

  function chart(id) {
    const node = document.getElementById(id);
    if (!charts[id]) charts[id] = echarts.init(node, null, { renderer: "svg" });
    return charts[id];
  }

  // a chart drawn anew (no animation; ECharts' aria description of its data for screen readers)
  function draw(id, option) {
    const c = chart(id);
    c.setOption(Object.assign({ animation: false, aria: { enabled: true } }, option), true);
    return c;
  }

  function table(id, head, rows, empty) {
    const t = document.getElementById(id);
    t.replaceChildren();
    t.append(el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: h })))));
    const body = el("tbody");
    for (const r of rows) body.append(el("tr", {}, r.map((c) => el("td", {}, c instanceof Node ? c : fmtCell(c)))));
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: head.length, class: "empty", text: empty || "nothing here" })));
    t.append(body);
  }
  const fmtCell = (c) => (typeof c === "number" ? fmt(c) : c === null || c === undefined ? "" : String(c));

  function countryLabel(code) {
    if (none(code)) return "(none)";
    return countryNames[code] ? `${code} ${countryNames[code]}` : code;
  }

  // a PLOVER mix as the API gives it: "CONSULT:2, REQUEST:1" or {CONSULT: 2}
  function ploverMix(v) {
    const out = {};
    if (!v) return out;
    if (typeof v === "object") return Object.assign(out, v);
    for (const part of String(v).split(",")) {
      const [k, n] = part.trim().split(":");
      if (k) out[k.trim()] = (out[k.trim()] || 0) + Number(n || 0);
    }
    return out;
  }

  // ---------- filters and routing ----------
  function parseHash() {
    const h = location.hash.replace(/^#/, "") || "overview";
    const [path, q] = h.split("?");
    const parts = path.split("/");
    return { view: parts[0] || "overview", arg: parts.slice(1).join("/"), params: new URLSearchParams(q || "") };
  }

  function filters() {
    const p = parseHash().params;
    return { since: p.get("since") || "", until: p.get("until") || "", country: p.get("country") || "", by: p.get("by") || "month",
      all: p.get("all") === "1" ? "1" : "" };
  }

  function eventFilter(f) {
    return { since: f.since, until: f.until, country: f.country, all_modalities: f.all ? "true" : "" };
  }

  // a link to a view with the current filters and these choices
  function link(text, view, extra) {
    const f = Object.assign(filters(), extra || {});
    if (f.by === "month") delete f.by;
    return el("a", { href: "#" + view + query(f), text });
  }

  function go(view, extra) {
    const f = Object.assign(filters(), extra || {});
    if (f.by === "month") delete f.by;
    location.hash = view + query(f);
  }

  function syncForm() {
    const f = filters();
    const form = $("#filters");
    form.since.value = f.since;
    form.until.value = f.until;
    form.country.value = f.country;
    form.by.value = f.by;
    form.all.checked = !!f.all;
  }

  async function route() {
    const { view, arg } = parseHash();
    const known = ["overview", "dyads", "network", "map", "events", "stories", "claims", "article", "code"];
    const v = known.includes(view) ? view : "overview";
    syncForm();
    document.body.removeAttribute("data-ready");
    for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + v;
    $("#filters").classList.toggle("idle", v === "code"); // coding a text reads no store
    const keep = filters(); // the filters go along from view to view
    if (keep.by === "month") delete keep.by;
    for (const a of document.querySelectorAll("#nav a")) {
      const back = (cameFrom || "#events").replace(/^#/, "").split(/[/?]/)[0];
      a.classList.toggle("active", a.dataset.view === v || (v === "article" && a.dataset.view === back));
      a.setAttribute("href", "#" + a.dataset.view + query(keep));
    }
    document.title = `detente · ${$("#view-" + v).dataset.title}`;
    if (v === "article") { // back to the list the article was opened from
      const from = cameFrom || "#events";
      const name = from.replace(/^#/, "").split(/[/?]/)[0];
      $("#article-back").setAttribute("href", from);
      $("#article-back").textContent = `‹ ${($("#view-" + name) || $("#view-events")).dataset.title.toLowerCase()}`;
    } else cameFrom = location.hash || "#" + v;
    status("loading…");
    try {
      await VIEWS[v](arg);
      status("");
    } catch (err) {
      status(err.message, true);
    }
    for (const c of Object.values(charts)) if (c.getDom().offsetParent) c.resize();
    renders += 1;
    document.body.dataset.renders = String(renders);
    document.body.dataset.ready = v;
  }

  // ---------- overview ----------
  async function overview() {
    const f = filters();
    const [rows, events, store] = await Promise.all([
      all("/dyads", Object.assign({ by: f.by }, eventFilter(f))),
      api("/events", Object.assign({ limit: 1 }, eventFilter(f))),
      api("/status"),
    ]);
    const periods = fill(rows.items.map((r) => day(r.period)), f.by);
    const at = Object.fromEntries(periods.map((p, i) => [p, i]));
    let pairEvents = 0, gold = 0, conflict = 0, counted = 0;
    const pairs = {};
    for (const r of rows.items) {
      pairEvents += r.events;
      if (!none(r.mean_goldstein)) { gold += r.mean_goldstein * r.events; counted += r.events; }
      conflict += (r.verbal_conflict || 0) + (r.material_conflict || 0);
      const key = `${r.source || ""}→${r.target || ""}`;
      const p = pairs[key] || (pairs[key] = { source: r.source, target: r.target, events: 0, gold: 0, n: 0, mix: {} });
      p.events += r.events;
      if (!none(r.mean_goldstein)) { p.gold += r.mean_goldstein * r.events; p.n += r.events; }
      for (const [k, n] of Object.entries(ploverMix(r.plover))) p.mix[k] = (p.mix[k] || 0) + n;
    }
    const cards = $("#overview-cards");
    cards.replaceChildren(
      card("events", "Events", fmt(events.total), f.all ? "of every modality, in this selection" : "asserted, in this selection"),
      card("pair-events", "Dyad events", fmt(pairEvents), "counted once per source–target pair"),
      card("dyads", "Dyads", fmt(Object.keys(pairs).length), "source–target pairs"),
      card("goldstein", "Mean Goldstein", counted ? fmt1(gold / counted) : "–", "−10 conflict … +10 cooperation"),
      card("conflict", "Conflict share", pairEvents ? `${Math.round((100 * conflict) / pairEvents)}%` : "–", "verbal + material conflict"),
    );
    // the store's own totals (GET /status), unfiltered, beside this selection's figures
    $("#overview-store").replaceChildren(
      card("store-events", "Events stored", fmt(store.events), "every modality"),
      card("store-asserted", "Asserted events", fmt(store.asserted), "stored, all dates"),
      card("articles", "Articles", fmt(store.articles), store.first ? `published ${store.first} to ${store.last}` : "stored"),
      card("store-stories", "Folded events", fmt(store.stories), "stories: mentions across articles counted once"),
      card("store-claims", "Claims", fmt(store.claims), "who says what"),
      card("store-counts", "Casualty counts", fmt(store.counts), "killed, wounded, abducted, …"),
    );

    const group = $("#overview-group").value;
    let series;
    if (group === "plover") {
      const sums = {};
      for (const r of rows.items) {
        for (const [k, n] of Object.entries(ploverMix(r.plover))) {
          (sums[k] || (sums[k] = new Array(periods.length).fill(0)))[at[day(r.period)]] += n;
        }
      }
      const order = PLOVER.filter((k) => sums[k]).concat(Object.keys(sums).filter((k) => !PLOVER.includes(k)));
      series = order.map((k) => ({ name: k, type: "bar", stack: "all", data: sums[k], itemStyle: { color: PLOVER_COLORS[k] || "#888" } }));
    } else {
      series = QUADS.map(([key, name, color]) => {
        const data = new Array(periods.length).fill(0);
        for (const r of rows.items) data[at[day(r.period)]] += r[key] || 0;
        return { name, type: "bar", stack: "all", data, itemStyle: { color } };
      });
    }
    draw("overview-chart", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 40, bottom: 48 },
      xAxis: timeAxis(periods, f.by),
      yAxis: { type: "value", name: "dyad events", minInterval: 1 },
      series,
    });

    const top = Object.values(pairs).sort((a, b) => b.events - a.events || cmp(a.source, b.source)).slice(0, 10);
    table("overview-dyads", ["source", "target", "events", "mean Goldstein", "PLOVER types", ""], top.map((p) => [
      p.source || "(none)", p.target || "(none)", p.events, p.n ? fmt1(p.gold / p.n) : "–",
      Object.entries(p.mix).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", "),
      p.source && p.target ? link("events ›", "events", { dyad: `${p.source},${p.target}` }) : "",
    ]), "no events in this selection");
  }

  // periods on a category axis: a month as 2024-03, a week by its Monday
  function timeAxis(periods, by) {
    return { type: "category", data: periods, name: by === "week" ? "week of" : by, nameLocation: "middle", nameGap: 30,
      axisLabel: { formatter: (v) => (by === "month" ? v.slice(0, 7) : by === "year" ? v.slice(0, 4) : v) } };
  }

  // every period from the first to the last of these (first days, YYYY-MM-DD), none skipped
  function fill(days, by) {
    const have = [...new Set(days.filter(Boolean))].sort();
    if (have.length < 2 || have.length > 2000) return have;
    const out = [];
    const d = new Date(have[0] + "T00:00:00Z"), end = new Date(have[have.length - 1] + "T00:00:00Z");
    while (d <= end && out.length < 2000) {
      out.push(d.toISOString().slice(0, 10));
      if (by === "week") d.setUTCDate(d.getUTCDate() + 7);
      else if (by === "day") d.setUTCDate(d.getUTCDate() + 1);
      else if (by === "year") d.setUTCFullYear(d.getUTCFullYear() + 1);
      else d.setUTCMonth(d.getUTCMonth() + 1);
    }
    return [...new Set(out.concat(have))].sort();
  }

  function card(key, label, value, hint) {
    return el("div", { class: "card", "data-k": key }, el("div", { class: "label", text: label }),
      el("div", { class: "value", text: value }), el("div", { class: "hint", text: hint }));
  }
  const cmp = (a, b) => String(a || "").localeCompare(String(b || ""));

  // ---------- dyads ----------
  async function dyads() {
    const f = filters();
    const rows = await all("/series", Object.assign({ level: "country_pairs", by: "year" }, eventFilter(f)));
    const sum = {};
    for (const r of rows.items) {
      if (none(r.source_country) || none(r.target_country)) continue;
      const k = `${r.source_country},${r.target_country}`;
      const s = sum[k] || (sum[k] = { source: r.source_country, target: r.target_country, events: 0, gold: 0 });
      s.events += r.events;
      s.gold += (r.mean_goldstein || 0) * r.events;
    }
    const list = Object.values(sum).sort((a, b) => b.events - a.events || cmp(a.source + a.target, b.source + b.target));
    const sources = topKeys(list, "source", 15), targets = topKeys(list, "target", 15);
    const data = list.filter((d) => sources.includes(d.source) && targets.includes(d.target))
      .map((d) => [targets.indexOf(d.target), sources.indexOf(d.source), d.events, d.gold / d.events]);
    const max = Math.max(1, ...data.map((d) => d[2]));

    const m = draw("dyads-matrix", {
      tooltip: { formatter: (p) => `${esc(sources[p.value[1]])} → ${esc(targets[p.value[0]])}<br>${p.value[2]} events, mean Goldstein ${fmt1(p.value[3])}` },
      grid: { left: 70, right: 110, top: 16, bottom: 80 },
      xAxis: { type: "category", data: targets, name: "target", nameLocation: "middle", nameGap: 45, axisLabel: { rotate: 45 }, splitArea: { show: true } },
      yAxis: { type: "category", data: sources, name: "source", nameLocation: "middle", nameGap: 50, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, dimension: 2, calculable: true, orient: "vertical", right: 8, top: "middle", text: ["more events", "fewer"], inRange: { color: ["#e8f0fb", "#1f5fa8"] } },
      series: [{ type: "heatmap", data, label: { show: true }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
    });
    m.off("click");
    m.on("click", (p) => go("dyads", { dyad: `${sources[p.value[1]]},${targets[p.value[0]]}` }));

    const select = $("#dyad-select");
    const chosen = parseHash().params.get("dyad") || (list[0] ? `${list[0].source},${list[0].target}` : "");
    select.replaceChildren(...list.map((d) => el("option", { value: `${d.source},${d.target}`, selected: `${d.source},${d.target}` === chosen,
      text: `${d.source} → ${d.target} (${d.events})` })));
    if (chosen && !sum[chosen]) select.prepend(el("option", { value: chosen, selected: true, text: chosen.replace(",", " → ") }));
    select.onchange = () => go("dyads", { dyad: select.value });
    await dyadSeries(chosen, f);
  }

  function topKeys(list, key, n) {
    const tot = {};
    for (const d of list) tot[d[key]] = (tot[d[key]] || 0) + d.events;
    return Object.entries(tot).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).slice(0, n).map(([k]) => k);
  }

  async function dyadSeries(dyad, f) {
    const title = $("#dyad-title");
    if (!dyad) {
      title.textContent = "Dyad series";
      $("#dyad-events").replaceChildren();
      chart("dyad-series").clear();
      table("dyad-alerts", ["period", "level", "unit", "measure", "current", "expected"], [], "no dyad in this selection");
      return;
    }
    const [a, b] = dyad.split(",");
    title.textContent = `${countryLabel(a)} → ${countryLabel(b)}, by ${f.by}`;
    $("#dyad-events").replaceChildren(link("list its events ›", "events", { dyad }));
    const [rows, alerts] = await Promise.all([
      all("/series", Object.assign(eventFilter(f), { level: "country_pairs", by: f.by, dyad, country: "" })),
      all("/alerts", { by: f.by, since: f.since || "1900-01-01", all_modalities: f.all ? "true" : "" }),
    ]);
    const mine = rows.items.filter((r) => r.source_country === a && r.target_country === b)
      .sort((x, y) => cmp(day(x.period), day(y.period)));
    // /alerts takes no dyad, country or until: the alerts of this dyad are picked here
    const related = alerts.items.filter((al) => relates(al, a, b) && (!f.until || day(al.period) <= f.until));
    const periods = fill(mine.map((r) => day(r.period)).concat(related.map((al) => day(al.period))), f.by);
    const at = Object.fromEntries(periods.map((p, i) => [p, i]));
    const events = new Array(periods.length).fill(0), gold = new Array(periods.length).fill(null);
    for (const r of mine) { events[at[day(r.period)]] += r.events; gold[at[day(r.period)]] = r.mean_goldstein; }
    draw("dyad-series", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["events", "mean Goldstein", "alerts"] },
      grid: { left: 48, right: 56, top: 40, bottom: 48 },
      xAxis: timeAxis(periods, f.by),
      yAxis: [{ type: "value", name: "events", minInterval: 1 }, { type: "value", name: "Goldstein", min: -10, max: 10 }],
      series: [
        { name: "events", type: "bar", data: events, barMaxWidth: 48, itemStyle: { color: "#5b8def" } },
        { name: "mean Goldstein", type: "line", yAxisIndex: 1, data: gold, connectNulls: true, itemStyle: { color: "#333" } },
        { name: "alerts", type: "scatter", symbol: "triangle", symbolSize: 16, itemStyle: { color: "#d64545" },
          data: related.map((al) => ({ value: [at[day(al.period)], events[at[day(al.period)]] || 0], name: `${al.unit}: ${al.measure}` })),
          tooltip: { trigger: "item", formatter: (p) => `alert ${esc(p.name)}` } },
      ],
    });
    table("dyad-alerts", ["period", "level", "unit", "measure", "current", "expected"],
      related.map((al) => [day(al.period), al.level, al.unit, al.measure, al.current, al.expected]), "no alert for this dyad or its sides");
  }

  // an alert on the dyad itself, on one of its countries, or on an actor of one of them
  // (CAMEO actor codes start with their country's code)
  function relates(al, a, b) {
    const unit = String(al.unit || "");
    if (al.level === "dyad") return unit === `${a}→${b}` || unit === `${a},${b}`;
    if (al.level === "country") return unit === a || unit === b;
    if (al.level === "actor") return unit.startsWith(a) || unit.startsWith(b);
    return false;
  }

  // ---------- network ----------
  async function network() {
    const f = filters();
    const level = $("#network-level").value;
    const rows = await all("/series", Object.assign({ level, by: "year" }, eventFilter(f)));
    const src = level === "pairs" ? "source" : "source_country", tgt = level === "pairs" ? "target" : "target_country";
    const edges = {};
    for (const r of rows.items) {
      if (none(r[src]) || none(r[tgt])) continue;
      const k = `${r[src]}→${r[tgt]}`;
      const e = edges[k] || (edges[k] = { source: r[src], target: r[tgt], events: 0, gold: 0 });
      e.events += r.events;
      e.gold += (r.mean_goldstein || 0) * r.events;
    }
    const list = Object.values(edges).sort((a, b) => b.events - a.events || cmp(a.source + a.target, b.source + b.target)).slice(0, 150);
    const degree = {};
    for (const e of list) { degree[e.source] = (degree[e.source] || 0) + e.events; degree[e.target] = (degree[e.target] || 0) + e.events; }
    const maxW = Math.max(1, ...list.map((e) => e.events));
    const nodes = Object.entries(degree).map(([name, n]) => ({ name, value: n, symbolSize: 8 + 4 * Math.sqrt(n), label: { show: true } }));
    // a force layout drawn on a fresh chart: the last one's layout and drag state go with it
    if (charts["network-chart"]) { charts["network-chart"].dispose(); delete charts["network-chart"]; }
    draw("network-chart", {
      tooltip: { formatter: (p) => (p.dataType === "edge" ? `${esc(p.data.source)} → ${esc(p.data.target)}: ${p.data.events} events, mean Goldstein ${fmt1(p.data.value)}` : `${esc(p.name)}: ${p.value} events`) },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        force: { repulsion: 110, edgeLength: [35, 100], gravity: 0.18, layoutAnimation: false },
        data: nodes,
        links: list.map((e) => ({ source: e.source, target: e.target, events: e.events, value: e.gold / e.events,
          lineStyle: { width: 1 + (5 * e.events) / maxW, color: goldsteinColor(e.gold / e.events), opacity: 0.85, curveness: 0.15 } })),
        itemStyle: { color: "#44546a" }, label: { position: "right", fontSize: 11 }, lineStyle: { opacity: 0.85 },
      }],
    });
    table("network-ties", ["source", "target", "events", "mean Goldstein"],
      list.slice(0, 15).map((e) => [e.source, e.target, e.events, fmt1(e.gold / e.events)]), "no dyad in this selection");
  }

  function goldsteinColor(g) {
    const i = Math.max(0, Math.min(GOLDSTEIN.length - 1, Math.round(((g + 10) / 20) * (GOLDSTEIN.length - 1))));
    return GOLDSTEIN[i];
  }

  // ---------- map ----------
  function loadWorld() {
    if (!worldReady) {
      worldReady = fetch(`${PREFIX}/vendor/world.json`).then((r) => {
        if (!r.ok) throw new Error(`world shapes: ${r.status}`);
        return r.json();
      }).then((topo) => {
        const geo = topojson.feature(topo, topo.objects.countries);
        geo.features = geo.features.filter((feat) => (feat.properties || {}).iso3 !== "ATA");
        for (const feat of geo.features) {
          unwrap(feat.geometry);
          const p = feat.properties || {};
          if (p.iso3) countryNames[p.iso3] = p.name;
          feat.properties = { name: p.iso3 || `~${p.name}`, label: p.name };
        }
        echarts.registerMap("world", geo);
        return geo;
      });
    }
    return worldReady;
  }

  // a shape crossing the antimeridian (Russia, Fiji) drawn on one side of it: echarts draws the
  // plain longitudes, so a ring with points near both +180 and -180 has its western ones shifted
  function unwrap(geometry) {
    if (!geometry) return;
    const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    for (const poly of polys) {
      for (const ring of poly) {
        const lons = ring.map((pt) => pt[0]);
        if (Math.max(...lons) > 170 && Math.min(...lons) < -170) for (const pt of ring) if (pt[0] < 0) pt[0] += 360;
      }
    }
  }

  async function map() {
    const f = filters();
    const [, countries, located] = await Promise.all([
      loadWorld(),
      all("/series", Object.assign({ level: "countries", by: "year" }, eventFilter(f))),
      all("/events", eventFilter(f), 5000),
    ]);
    const per = {};
    for (const r of countries.items) if (!none(r.country)) per[r.country] = (per[r.country] || 0) + r.events;
    const places = {};
    for (const raw of located.items) {
      const e = normalise(raw);
      if (!e.location || none(e.location.lat) || none(e.location.lon)) continue;
      const k = `${e.location.name}|${e.location.lat}|${e.location.lon}`;
      const p = places[k] || (places[k] = { name: e.location.name, country: e.location.country, lat: e.location.lat, lon: e.location.lon, events: 0, feature: e.location.feature });
      p.events += 1;
    }
    const placeList = Object.values(places).sort((a, b) => b.events - a.events || cmp(a.name, b.name));
    const max = Math.max(1, ...Object.values(per));
    draw("map-chart", {
      tooltip: { trigger: "item", formatter: (p) => (p.seriesType === "scatter" ? `${esc(p.name)}: ${p.value[2]} events` : `${esc(countryNames[p.name] || p.name)}: ${fmt(p.value || 0)} events`) },
      visualMap: { min: 0, max, seriesIndex: 0, left: 8, bottom: 8, text: ["more events", "none"], calculable: true, inRange: { color: ["#eef3fa", "#1f5fa8"] } },
      geo: { map: "world", roam: true, itemStyle: { areaColor: "#f4f4f4", borderColor: "#b0b0b0", borderWidth: 0.5 }, emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd27f" } } },
      series: [
        { name: "countries", type: "map", geoIndex: 0, data: Object.entries(per).map(([name, value]) => ({ name, value })) },
        { name: "places", type: "scatter", coordinateSystem: "geo", symbolSize: (v) => 6 + 3 * Math.sqrt(v[2]), itemStyle: { color: "#d64545", opacity: 0.8 },
          data: placeList.map((p) => ({ name: p.name, value: [p.lon, p.lat, p.events] })) },
      ],
    });
    table("map-countries", ["country", "events"], Object.entries(per).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
      .map(([c, n]) => [link(countryLabel(c), "map", { country: c }), n]), "no events in this selection");
    const note = located.total > located.items.length ? ` (from the first ${fmt(located.items.length)} of ${fmt(located.total)} events)` : "";
    table("map-places", ["place", "country", "kind", "events" + note], placeList.slice(0, 40).map((p) => [p.name, p.country || "", p.feature || "", p.events]), "no located events");
  }

  // ---------- events and articles ----------
  // an event as the nested record of `detente code --format jsonl`, from that record or from a
  // flat row of the store (sentence_text, trigger_start, actor1_code, ...)
  function normalise(r) {
    if (typeof r.record === "string") {
      try { return Object.assign(JSON.parse(r.record), { story_id: r.story_id, published: r.published }); } catch (e) { /* flat */ }
    } else if (r.record && typeof r.record === "object") return r.record;
    if (r.sentence && typeof r.sentence === "object") return r;
    const actor = (i) => (none(r[`actor${i}_code`]) ? [] : [{ code: r[`actor${i}_code`], name: r[`actor${i}_name`], country: r[`actor${i}_country`], text: r[`actor${i}_name`] }]);
    return {
      id: r.id,
      article: { id: r.article_id, title: r.article_title, published: day(r.published), url: r.article_url, source: r.article_source },
      sentence: { index: r.sentence_index, text: r.sentence_text, start: r.sentence_start, end: r.sentence_end },
      trigger: { text: r.trigger_text, start: r.trigger_start, end: r.trigger_end },
      cameo: { code: r.cameo_code, name: r.cameo_name, goldstein: r.goldstein, quad_class: r.quad_class },
      plover: { event: r.plover_event, mode: r.plover_mode },
      source: actor(1), target: actor(2),
      source_codes: r.source_codes, target_codes: r.target_codes,
      modality: r.modality, date: day(r.event_date), published: day(r.published),
      location: none(r.location_name) ? null : { name: r.location_name, lat: r.location_lat, lon: r.location_lon, country: r.location_country, feature: r.location_feature },
    };
  }

  const codes = (actors, flat) => (actors && actors.length ? actors.map((a) => a.code).join(", ") : flat || "");

  // the sentence with its trigger and actors marked (offsets into the article, else by text)
  function markedSentence(e) {
    const s = e.sentence || {};
    const text = s.text || "";
    const base = s.start || 0;
    const spans = [];
    const add = (x, cls) => {
      if (!x) return;
      if (!none(x.start) && !none(x.end)) spans.push({ start: x.start - base, end: x.end - base, cls, title: x.code || cls });
      else if (x.text) {
        const esc = x.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const m = new RegExp(`(^|[^\\p{L}\\p{N}])(${esc})(?![\\p{L}\\p{N}])`, "u").exec(text);
        const at = m ? m.index + m[1].length : -1;
        if (at >= 0) spans.push({ start: at, end: at + x.text.length, cls, title: x.code || cls });
      }
    };
    for (const a of e.source || []) add(a, "source");
    for (const a of e.target || []) add(a, "target");
    add(e.trigger, "trigger");
    return annotate(text, spans.filter((x) => x.start >= 0 && x.end <= text.length && x.end > x.start));
  }

  // text with spans wrapped: each piece between span boundaries gets the classes covering it
  function annotate(text, spans) {
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = text.slice(a, b);
      const over = spans.filter((s) => s.start <= a && s.end >= b);
      if (!over.length) { frag.append(piece); continue; }
      const attrs = { class: "sp " + [...new Set(over.map((s) => s.cls))].join(" "), title: [...new Set(over.map((s) => s.title))].join(" · ") };
      const ids = over.flatMap((s) => s.events || []);
      if (ids.length) attrs["data-events"] = [...new Set(ids)].join(" ");
      const refs = over.flatMap((s) => s.refs || []);
      if (refs.length) attrs["data-refs"] = [...new Set(refs)].join(" ");
      frag.append(el("span", attrs, piece));
    }
    return frag;
  }

  function eventRows(list, withArticle) {
    return list.map((raw) => {
      const e = normalise(raw);
      const code = e.cameo || {};
      const art = e.article || {};
      const link = withArticle && art.id ? el("a", { href: `#article/${encodeURIComponent(art.id)}?event=${encodeURIComponent(e.id)}`, class: "article-link", text: art.title || art.id }) : "";
      return [
        e.date || day(e.published || art.published),
        el("span", { title: code.name || "" }, el("b", { text: code.code || "" }), " ", code.name || ""),
        (e.plover || {}).event || "",
        codes(e.source, e.source_codes),
        codes(e.target, e.target_codes),
        el("span", { class: "sentence" }, markedSentence(e)),
        link,
      ];
    });
  }
  const EVENT_HEAD = ["date", "CAMEO", "PLOVER", "source", "target", "sentence", "article"];

  async function eventsView() {
    const f = filters();
    const p = parseHash().params;
    const dyadBox = $("#events-dyad"), codeBox = $("#events-code");
    dyadBox.value = p.get("dyad") || "";
    codeBox.value = p.get("event") || "";
    eventsOffset = Number(p.get("offset") || 0);
    const size = 25;
    const page = await api("/events", Object.assign(eventFilter(f), { dyad: dyadBox.value, event: codeBox.value, limit: size, offset: eventsOffset }));
    // with every modality, each event says which it is (negated, future, ...)
    const head = f.all ? EVENT_HEAD.concat(["modality"]) : EVENT_HEAD;
    const cells = eventRows(page.items, true).map((r, i) => (f.all ? r.concat([normalise(page.items[i]).modality || ""]) : r));
    table("events-table", head, cells, "no events in this selection");
    const move = (offset) => go("events", { dyad: dyadBox.value, event: codeBox.value, offset: offset || "" });
    pager("events", page, eventsOffset, size, move);
    dyadBox.onchange = () => move(0);
    codeBox.onchange = () => { codeBox.value = codeBox.value.trim().toUpperCase(); move(0); };
  }

  // an article's text with the spans of its events, actors, places and claims
  async function article(arg) {
    const id = decodeURIComponent(arg || "");
    const a = await api(`/articles/${encodeURIComponent(id)}`, { all_modalities: filters().all ? "true" : "" });
    $("#article-title").textContent = a.title || a.id || id;
    $("#article-meta").textContent = [day(a.published), a.source, a.url].filter(Boolean).join(" · ");
    const text = a.text || "";
    const box = $("#article-text");
    box.replaceChildren(annotate(text, apiSpans(a.spans, text)));
    const events = a.events || [];
    table("article-events", EVENT_HEAD.slice(0, 6), eventRows(events, false).map((r) => r.slice(0, 6)), "no events coded in this article");
    const p = parseHash().params;
    const wanted = p.get("event");
    const ref = p.get("claim") ? `claim:${p.get("claim")}` : p.get("count") ? `count:${p.get("count")}` : "";
    if (wanted || ref) {
      for (const n of box.querySelectorAll("[data-events]")) if (wanted && n.dataset.events.split(" ").includes(wanted)) n.classList.add("focus");
      for (const n of box.querySelectorAll("[data-refs]")) if (ref && n.dataset.refs.split(" ").includes(ref)) n.classList.add("focus");
      const first = box.querySelector(".focus");
      if (first) first.scrollIntoView({ block: "center" });
    }
  }

  // the API's spans (docs/api.md: trigger, actor with its roles, place, claim, count, hedge)
  function apiSpans(spans, text) {
    return (spans || []).filter((s) => s.end > s.start && s.end <= text.length).map((s) => ({
      start: s.start, end: s.end, cls: spanClass(s), events: s.events || [],
      refs: [s.claim ? `claim:${s.claim}` : "", s.count ? `count:${s.count}` : ""].filter(Boolean),
      title: [s.kind, s.label, (s.roles || []).join("/")].filter(Boolean).join(": "),
    }));
  }

  function spanClass(s) {
    const roles = s.roles || [];
    if (s.kind === "actor") return roles.includes("source") ? "source" : roles.includes("target") ? "target" : "actor";
    return ["trigger", "place", "claim", "count", "hedge"].includes(s.kind) ? s.kind : "other";
  }

  // ---------- code a text ----------
  async function codeView() {
    const form = $("#code-form");
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const text = $("#code-text").value;
      if (!text.trim()) { $("#code-status").textContent = "paste a text first"; return; }
      $("#code-status").textContent = "coding…";
      $("#code-run").disabled = true;
      try {
        const body = { text };
        if ($("#code-published").value) body.published = $("#code-published").value;
        if ($("#code-all").checked) body.all_modalities = true;
        const out = await api("/code", null, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) });
        showCoded(text, out);
        $("#code-status").textContent = "";
        document.body.dataset.coded = String(Number(document.body.dataset.coded || 0) + 1);
      } catch (err) {
        $("#code-status").textContent = err.message;
      } finally {
        $("#code-run").disabled = false;
      }
    };
  }

  function showCoded(pasted, out) {
    const events = out.events || [];
    const text = out.text || pasted; // the normalised text every offset refers to
    $("#code-annotated").replaceChildren(annotate(text, apiSpans(out.spans, text)));
    const claims = out.claims || [], counts = out.counts || [];
    $("#code-count").textContent = `${plural(events.length, "event")}, ${plural(claims.length, "claim")}, ${plural(counts.length, "count")}`;
    table("code-events", EVENT_HEAD.slice(0, 6).concat(["modality"]),
      eventRows(events, false).map((r, i) => r.slice(0, 6).concat([events[i].modality || ""])), "no event coded in this text");
  }

  // ---------- stories (folded events) and their mentions ----------
  const STORY_PAGE = 25;

  // the pager of a paged table: its range text and buttons, moving to `offset` through `move`
  function pager(name, page, offset, size, move) {
    const last = Math.min(page.total, offset + page.items.length);
    $(`#${name}-range`).textContent = page.total ? `${fmt(offset + 1)}–${fmt(last)} of ${fmt(page.total)}` : "0 of 0";
    $(`#${name}-prev`).disabled = offset <= 0;
    $(`#${name}-next`).disabled = last >= page.total;
    $(`#${name}-prev`).onclick = () => move(Math.max(0, offset - size));
    $(`#${name}-next`).onclick = () => move(offset + size);
  }

  // a table's body rows made to open something: a click (or Enter) on row i calls open(i)
  function pickable(id, open, chosen) {
    const trs = document.querySelectorAll(`#${id} tbody tr`);
    trs.forEach((tr, i) => {
      if (tr.querySelector("td.empty")) return;
      tr.classList.add("pick");
      tr.classList.toggle("chosen", i === chosen);
      tr.tabIndex = 0;
      tr.onclick = (ev) => { if (!ev.target.closest("a")) open(i); };
      tr.onkeydown = (ev) => { if (ev.key === "Enter") open(i); };
    });
  }

  const dayCell = (v) => el("span", { class: "nowrap", text: day(v) });
  const sides = (s, t) => `${none(s) ? "–" : s} → ${none(t) ? "–" : t}`;

  async function storiesView() {
    const f = filters();
    const p = parseHash().params;
    const offset = Number(p.get("offset") || 0);
    const min = p.get("min") || "1";
    const chosen = p.get("story") || "";
    $("#stories-min").value = min;
    const page = await api("/stories", Object.assign(eventFilter(f), { min_articles: min === "1" ? "" : min, limit: STORY_PAGE, offset }));
    const head = ["date", "CAMEO", "PLOVER", "source → target", "mentions", "articles", "sources", "first seen", "place", "first mention"];
    if (f.all) head.splice(3, 0, "modality");
    const move = (extra) => go("stories", Object.assign({ offset: offset || "", min: min === "1" ? "" : min, story: chosen }, extra));
    table("stories-table", head, page.items.map((st) => {
      const row = [
        link(day(st.event_date) || "(undated)", "stories", { offset: offset || "", min: min === "1" ? "" : min, story: st.id }),
        el("b", { text: st.cameo_code || "" }), st.plover_event || "", sides(st.source_codes, st.target_codes),
        st.num_mentions, st.num_articles, st.num_sources, dayCell(st.first_seen), st.place || "", st.sentence_text || "",
      ];
      if (f.all) row.splice(3, 0, st.modality || "");
      return row;
    }), "no folded events in this selection");
    pickable("stories-table", (i) => move({ story: page.items[i].id }), page.items.findIndex((st) => st.id === chosen));
    pager("stories", page, offset, STORY_PAGE, (o) => move({ offset: o || "", story: "" }));
    $("#stories-min").onchange = () => move({ min: $("#stories-min").value === "1" ? "" : $("#stories-min").value, offset: "", story: "" });
    await storyMentions(chosen, page.items.find((st) => st.id === chosen));
  }

  // the mentions of one folded event: each one's sentence, the outlets that carried it, its article
  async function storyMentions(id, story) {
    const panel = $("#story-panel");
    panel.hidden = !id;
    if (!id) return;
    const list = await all(`/stories/${encodeURIComponent(id)}/mentions`, {}, 500);
    const first = list.items.length ? list.items[0].event : null;
    const about = story || (first ? { event_date: first.date, cameo_code: (first.cameo || {}).code, plover_event: (first.plover || {}).event,
      source_codes: codes(first.source), target_codes: codes(first.target) } : {});
    $("#story-title").textContent = `Mentions of ${about.cameo_code || "?"} ${about.plover_event || ""} ${sides(about.source_codes, about.target_codes)}, ${day(about.event_date) || "undated"}`;
    const shown = list.total > list.items.length ? ` (the first ${fmt(list.items.length)})` : "";
    $("#story-meta").textContent = `${plural(list.total, "mention")}${shown}` + (story ? ` in ${plural(story.num_articles, "article")} from ${plural(story.num_sources, "source")}, first seen ${day(story.first_seen)}` : "");
    table("story-mentions", ["published", "outlet", "sentence", "CAMEO", "article"], list.items.map((m) => {
      const e = normalise(m.event);
      const art = e.article || {};
      const outlets = (m.documents || []).map((d) => d.source || d.url || "").filter(Boolean);
      return [
        dayCell(art.published),
        [...new Set(outlets.length ? outlets : [art.source || ""])].join(", "),
        el("span", { class: "sentence" }, markedSentence(e)),
        el("span", { title: (e.cameo || {}).name || "" }, el("b", { text: (e.cameo || {}).code || "" }), " ", (e.cameo || {}).name || ""),
        art.id ? el("a", { href: `#article/${encodeURIComponent(art.id)}?event=${encodeURIComponent(e.id)}`, class: "article-link", text: art.title || art.id }) : "",
      ];
    }), "no mentions stored for this folded event");
  }

  // ---------- claims and casualty counts ----------
  const CLAIM_PAGE = 25;

  // the filters claims and counts take (no modality: a claim is not negated or future)
  function claimFilter(f) {
    return { since: f.since, until: f.until, country: f.country };
  }

  const speaker = (c) => (c ? [c.text, c.code && c.code !== c.text ? `(${c.code})` : ""].filter(Boolean).join(" ") : "");
  const hedging = (hs) => (hs && hs.length ? hs.map((h) => `${h.text} (${h.kind})`).join("; ") : "–");

  // the claimed stretch with what it is about marked in it (else told after it)
  function claimText(c) {
    const text = (c.text || {}).text || "";
    const at = c.about ? text.indexOf(c.about) : -1;
    if (at < 0) return el("span", { class: "claim-text" }, text, c.about ? el("span", { class: "hint" }, ` — about: ${c.about}`) : null);
    return el("span", { class: "claim-text" }, text.slice(0, at), el("span", { class: "about", title: "what the claim is about", text: c.about }),
      text.slice(at + c.about.length));
  }

  // a link to the article of a claim or count, its stretch marked there
  function linkedArticle(item, kind) {
    const art = item.article || {};
    if (!art.id) return "";
    return el("a", { href: `#article/${encodeURIComponent(art.id)}?${kind}=${encodeURIComponent(item.id)}`, class: "article-link", text: art.title || art.id });
  }

  async function claimsView() {
    const f = filters();
    const p = parseHash().params;
    const offset = Number(p.get("offset") || 0), countsOffset = Number(p.get("counts_offset") || 0);
    const [claims, counts] = await Promise.all([
      api("/claims", Object.assign(claimFilter(f), { limit: CLAIM_PAGE, offset })),
      api("/counts", Object.assign(claimFilter(f), { limit: CLAIM_PAGE, offset: countsOffset })),
    ]);
    const move = (extra) => go("claims", Object.assign({ offset: offset || "", counts_offset: countsOffset || "" }, extra));
    table("claims-table", ["published", "speaker", "cue", "stance", "claim", "hedges", "event", "article"], claims.items.map((c) => [
      dayCell((c.article || {}).published), speaker(c.claimant), c.cue || "", c.stance || "",
      claimText(c),
      hedging(c.hedges),
      c.event && (c.article || {}).id ? el("a", { href: `#article/${encodeURIComponent(c.article.id)}?event=${encodeURIComponent(c.event)}`, class: "nowrap", text: "its event ›" }) : "–",
      linkedArticle(c, "claim"),
    ]), "no claims in this selection");
    pager("claims", claims, offset, CLAIM_PAGE, (o) => move({ offset: o || "" }));
    table("counts-table", ["published", "category", "figure", "unit", "as written", "speaker", "hedges", "article"], counts.items.map((c) => [
      dayCell((c.article || {}).published), c.category || "", none(c.low) ? "?" : c.low === c.high || none(c.high) ? fmt(c.low) : `${fmt(c.low)}–${fmt(c.high)}`,
      c.unit || "", (c.text || {}).text || "", speaker(c.claimant) || "–", hedging(c.hedges), linkedArticle(c, "count"),
    ]), "no casualty counts in this selection");
    pager("counts", counts, countsOffset, CLAIM_PAGE, (o) => move({ counts_offset: o || "" }));
  }

  const VIEWS = { overview, dyads, network, map, events: eventsView, stories: storiesView, claims: claimsView, article, code: codeView };

  // ---------- start ----------
  async function start() {
    const form = $("#filters");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const { view, params } = parseHash();
      // the view's own choices (a dyad, a page) stay; the filters are the form's
      const f = Object.assign(Object.fromEntries(params), { since: form.since.value, until: form.until.value,
        country: form.country.value.trim().toUpperCase(), by: form.by.value === "month" ? "" : form.by.value,
        all: form.all.checked ? "1" : "" });
      delete f.offset;
      delete f.counts_offset;
      if (view === "article") { delete f.event; delete f.claim; delete f.count; }
      const next = "#" + (view === "article" ? "events" : view) + query(f);
      if (next === location.hash) route();
      else location.hash = next;
    });
    $("#reset").addEventListener("click", (ev) => {
      ev.preventDefault();
      location.hash = parseHash().view === "article" ? "events" : parseHash().view;
    });
    $("#overview-group").addEventListener("change", () => route());
    $("#network-level").addEventListener("change", () => route());
    window.addEventListener("hashchange", route);
    window.addEventListener("resize", () => { for (const c of Object.values(charts)) c.resize(); });
    try {
      await loadWorld();
      const list = $("#countries");
      list.replaceChildren(...Object.entries(countryNames).sort((a, b) => cmp(a[1], b[1])).map(([c, n]) => el("option", { value: c, text: n })));
    } catch (err) {
      status(err.message, true);
    }
    await route();
  }

  window.detenteDashboard = { route, normalise, annotate };
  if (typeof echarts === "undefined" || typeof topojson === "undefined") {
    document.addEventListener("DOMContentLoaded", () => status("the chart scripts did not load: run `make web-assets`", true));
  } else start();
})();
