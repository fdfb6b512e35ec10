/* Yuqing web app: charts (ECharts), live feed and alerts (server-sent events), actions. */
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const COLORS = {negative: "#c92a2a", neutral: "#868e96", positive: "#2f9e44"};

  function toast(text) {
    const box = $("#toast");
    box.textContent = text; box.hidden = false;
    clearTimeout(box._t); box._t = setTimeout(() => { box.hidden = true; }, 4000);
  }

  async function api(method, url, body) {
    const opts = {method, headers: {"X-CSRF-Token": csrf, "Accept": "application/json"}, credentials: "same-origin"};
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    const res = await fetch(url, opts);
    const doc = await res.json().catch(() => ({}));
    if (!res.ok) { throw new Error(typeof doc.detail === "string" ? doc.detail : JSON.stringify(doc.detail || res.status)); }
    return doc;
  }
  // the helpers other page scripts (settings.js, loaded after this file) share
  window.yq = Object.freeze({$, $$, esc, csrf, api});

  // ----- charts -------------------------------------------------------------------------
  // Times come from the server in the office zone ("2024-03-05T08:00:00+08:00" or
  // "2024-03-05 08:00"); the charts place them by their wall-clock time on a true time axis
  // drawn in UTC (useUTC), so labels show the office's hours whatever the browser's zone.
  const wall = (t) => Date.parse(String(t).slice(0, 16).replace(" ", "T") + ":00Z");
  const FONT = getComputedStyle(document.body).fontFamily;
  const axisTime = {type: "time", axisLabel: {hideOverlap: true, formatter: {year: "{yyyy}", month: "{MM}-{dd}", day: "{MM}-{dd}",
    hour: "{HH}:{mm}", minute: "{HH}:{mm}", second: "{HH}:{mm}", none: "{MM}-{dd} {HH}:{mm}"}}};
  // one plain line per sentiment: not stacked, not smoothed, no area, so a zero stays at zero
  const sentimentLines = (rows) => ["negative", "neutral", "positive"].map((k) => ({
    name: T[{negative: "负面", neutral: "中性", positive: "正面"}[k]], type: "line", step: false, smooth: false,
    data: rows.map((r) => [wall(r.t), r[k] || 0]), itemStyle: {color: COLORS[k]}, lineStyle: {width: 2},
    showSymbol: rows.length <= 48, symbolSize: 4}));
  const timeChart = (series, legend) => ({useUTC: true, textStyle: {fontFamily: FONT}, tooltip: {trigger: "axis"},
    legend: legend ? {top: 0} : undefined, grid: {left: 40, right: 16, top: legend ? 30 : 16, bottom: 30},
    xAxis: axisTime, yAxis: {type: "value", minInterval: 1}, series});
  const builders = {
    trend: (rows) => timeChart(sentimentLines(rows), true),
    sentiment: (rows) => timeChart(sentimentLines(rows), true),
    // bars at their true hour: uneven gaps between active hours stay uneven
    timeline: (rows) => timeChart([{type: "bar", barMaxWidth: 14, data: rows.map((r) => [wall(r.t), r.count]),
      itemStyle: {color: "#a31515"}}], false),
    pie: (rows, el) => {
      const data = el.dataset.pairs ? rows.map((p) => ({name: p[0], value: p[1]})) : rows.map((r) => ({name: r.name, value: r.count}));
      return {tooltip: {trigger: "item"}, legend: {bottom: 0, type: "scroll"}, series: [{type: "pie", radius: ["35%", "65%"], data}]};
    },
    cloud: (rows) => ({tooltip: {}, series: [{type: "wordCloud", gridSize: 6, sizeRange: [12, 42], rotationRange: [0, 0], width: "100%", height: "100%",
      textStyle: {color: () => ["#a31515", "#1864ab", "#2b8a3e", "#e8590c", "#5f3dc4"][Math.floor(Math.random() * 5)]},
      data: rows.map((r) => ({name: r.word, value: r.count}))}]}),
    map: (rows) => ({tooltip: {trigger: "item", formatter: (p) => p.name + ": " + (p.value || 0)},
      visualMap: {min: 0, max: Math.max(1, ...rows.map((r) => r.count)), left: 0, bottom: 0, calculable: true, inRange: {color: ["#fff5f5", "#a31515"]}},
      series: [{type: "map", map: "china", roam: true, data: rows.map((r) => ({name: r.name, value: r.count}))}]}),
    graph: (g) => ({tooltip: {formatter: (p) => p.dataType === "node" ? esc(p.data.name) + " · " + esc(g.categories[p.data.category]) + " · " + p.data.value : ""},
      legend: {data: g.categories, top: 0},
      series: [{type: "graph", layout: "force", roam: true, draggable: true, force: {repulsion: 260, edgeLength: [50, 120], gravity: 0.08},
        categories: g.categories.map((c) => ({name: c})),
        data: g.nodes.map((n) => ({...n, category: g.categories.indexOf(n.category), label: {show: n.amplifier || n.origin, color: "#1f2328", fontSize: 11, textBorderWidth: 0, position: "right"},
          itemStyle: n.origin ? {borderColor: "#000", borderWidth: 2} : undefined})),
        links: g.links, lineStyle: {opacity: 0.5, curveness: 0.1}}]}),
  };
  let chinaMap = null;
  async function draw(el) {
    const kind = el.dataset.chart;
    const rows = JSON.parse(el.dataset.json || "[]");
    if (kind === "map" && !echarts.getMap("china")) {
      chinaMap = chinaMap || fetch("/static/vendor/china.json").then((r) => r.json());
      echarts.registerMap("china", await chinaMap);
    }
    const chart = echarts.init(el);
    chart.setOption({textStyle: {fontFamily: FONT}, ...builders[kind](rows, el)});  // renders synchronously
    window.addEventListener("resize", () => chart.resize());
    el._chart = chart;
    el.dataset.drawn = "1";
  }
  // draw once the page's fonts are in (the shipped CJK font on a machine without one), so
  // that chart labels, painted on a canvas, do not show empty boxes
  const drawAll = () => $$("[data-chart]").forEach((el) => { draw(el).catch((e) => { el.textContent = T["操作失败"] + ": " + e.message; }); });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(drawAll, drawAll); else drawAll();

  // ----- live alerts: badge, toast and browser notifications ---------------------------------
  const notifyBtn = $("#notify-btn");
  if (notifyBtn && "Notification" in window && Notification.permission === "default") {
    notifyBtn.hidden = false;
    notifyBtn.addEventListener("click", () => Notification.requestPermission().then(() => { notifyBtn.hidden = true; }));
  }
  if ($("#alert-badge")) {
    const alerts = new EventSource("/api/web/alerts/stream");
    let fresh = 0;
    alerts.addEventListener("alert", (ev) => {
      const a = JSON.parse(ev.data);
      fresh += 1;
      const badge = $("#alert-badge"); badge.textContent = fresh; badge.hidden = false;
      toast(T["新预警"] + ": " + a.title);
      if ("Notification" in window && Notification.permission === "granted") {
        const n = new Notification(T["新预警"] + " [" + a.level + "]", {body: a.title, tag: "yuqing-alert-" + a.id});
        n.onclick = () => { window.focus(); location.href = "/inbox"; };
      }
    });
  }

  // ----- live feed ----------------------------------------------------------------------
  const live = $("#live");
  if (live) {
    let source = null, count = 0;
    const start = () => {
      source = new EventSource("/api/web/items/stream?after=" + live.dataset.seq);
      source.addEventListener("item", (ev) => {
        const it = JSON.parse(ev.data);
        const li = document.createElement("li");
        li.className = "item fresh " + (it.sentiment || "");
        // shown_at, media_label and sentiment_label come formatted from the server (office zone)
        const tag = it.sentiment ? ' <span class="tag s-' + esc(it.sentiment) + '">' + esc(it.sentiment_label) + "</span>" : "";
        li.innerHTML = '<div class="meta">' + esc(it.shown_at) + " · " + esc(it.source) + " · " + esc(it.media_label) + tag +
          it.schemes.map((s) => ' <span class="tag">' + esc(s) + "</span>").join("") + '</div><a class="text" href="/items/' + encodeURIComponent(it.key) + '">' + esc(it.text.slice(0, 200)) + "</a>";
        $("#feed-list").prepend(li);
        count += 1; $("#live-count").textContent = "+" + count + " " + T["新信息"];
      });
    };
    if (live.checked) start();
    live.addEventListener("change", () => { if (live.checked) start(); else if (source) source.close(); });
  }

  // ----- actions --------------------------------------------------------------------------
  const guard = (fn) => async (ev) => { ev.preventDefault(); try { await fn(ev); } catch (e) { toast(T["操作失败"] + ": " + e.message); } };
  $$("[data-ack]").forEach((btn) => btn.addEventListener("click", guard(async () => {
    const done = await api("POST", "/api/web/alerts/" + btn.dataset.ack + "/ack");
    btn.closest("tr").className = "acked";
    btn.parentElement.innerHTML = esc(T["已确认"]) + " <small>" + esc(done.by) + "</small>";
  })));
  const caseForm = $("#case-form");
  if (caseForm) {
    const who = {actor: caseForm.dataset.actor, role: caseForm.dataset.role};
    const note = () => caseForm.elements.note.value || null;
    const cls = () => (caseForm.elements.handling_class.value ? Number(caseForm.elements.handling_class.value) : null);
    $$("[data-move]", caseForm).forEach((b) => b.addEventListener("click", guard(async () => {
      await api("POST", "/api/cases/" + caseForm.dataset.case + "/moves", {...who, state: b.dataset.move, note: note(), handling_class: cls()});
      location.reload();
    })));
    $$("[data-action]", caseForm).forEach((b) => b.addEventListener("click", guard(async () => {
      await api("POST", "/api/cases/" + caseForm.dataset.case + "/actions", {...who, action: b.dataset.action, note: note()});
      location.reload();
    })));
  }
  // open a case from an item (data-open-case: its key) or an alert (data-open-alert: its id)
  $$("[data-open-case], [data-open-alert]").forEach((b) => b.addEventListener("click", guard(async () => {
    const unit = b.dataset.unit || window.prompt(T["单位"]);
    if (!unit) return;
    const me = await api("GET", "/api/web/me");
    const role = {admin: "admin", analyst: "monitor", handler: "handler"}[me.role];
    const from = b.dataset.openAlert ? {alert: Number(b.dataset.openAlert)} : {item: b.dataset.openCase};
    const doc = await api("POST", "/api/cases", {actor: me.name, role, unit, ...from});
    location.href = "/cases/" + doc.id;
  })));
  const petition = $("#petition-form");
  if (petition) petition.addEventListener("submit", guard(async () => {
    const f = petition.elements;
    const doc = await api("POST", "/api/petitions", {actor: petition.dataset.actor, role: petition.dataset.role,
      channel: f.channel.value, unit: f.unit.value, subject: f.subject.value, accused: f.accused.value || null,
      contact: {name: f.contact_name.value || null, phone: f.contact_phone.value || null}});
    $("#petition-result").innerHTML = T["已完成"] + (doc.case_id ? ' → <a href="/cases/' + doc.case_id + '">#' + doc.case_id + "</a>" : "");
  }));
  $$("[data-channel-test]").forEach((b) => b.addEventListener("click", guard(async () => {
    const doc = await api("POST", "/api/web/channels/" + encodeURIComponent(b.dataset.channelTest) + "/test");
    b.nextElementSibling.textContent = doc.ok ? " ✓" : " ✗ " + doc.error;
  })));

  // ----- deadline countdowns ------------------------------------------------------------------
  const tick = () => $$(".countdown[data-due]").forEach((el) => {
    const left = (new Date(el.dataset.due) - Date.now()) / 3600000;
    let out = el.querySelector(".left");
    if (!out) { out = document.createElement("b"); out.className = "left"; el.append(" ", out); }
    out.textContent = left < 0 ? T["已超期"] : T["剩余"] + " " + Math.round(left) + T["小时"];
    el.classList.toggle("overdue", left < 0);
    el.classList.toggle("soon", left >= 0 && left < 24);
  });
  tick(); setInterval(tick, 60000);

  // ---- forms that ask first (data-confirm; no inline handlers under the CSP) ----------
  $$("form[data-confirm]").forEach((form) => form.addEventListener("submit", (ev) => {
    if (!confirm(form.dataset.confirm)) ev.preventDefault();
  }));
})();
