/* The settings editor (web/settings_api.py): forms that add, edit and delete entries of the live
   settings, "fetch now" for a source, scheme tests, channel test sends, lexicon uploads, import. */
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("settings-i18n").textContent);
  const {$, $$, esc, api} = window.yq;  // app.js (base.html) runs before this deferred script
  const versionEl = $("#settings-version");
  const version = () => Number(versionEl ? versionEl.dataset.version : 0);

  // a value as typed in "name = value" lines: a number, true/false, $env:NAME, a TOML-like list or text
  function parseValue(text) {
    const v = text.trim();
    if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    if (v === "true" || v === "false") return v === "true";
    if (v.startsWith("$env:")) return {"$env": v.slice(5).trim()};
    if (/^[[{"]/.test(v)) { try { return JSON.parse(v); } catch (e) { /* text */ } }
    return v;
  }
  function showValue(v) {
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && v["$env"]) return "$env:" + v["$env"];
    return typeof v === "string" ? v : JSON.stringify(v);
  }
  const splitList = (text) => text.split(/[\n,，、]+/).map((s) => s.trim()).filter(Boolean);
  const splitLines = (text) => text.split("\n").map((s) => s.replace(/\s+$/, "")).filter((s) => s.trim());

  // the entry a form describes: named fields by their data-type, "options" lines as extra keys
  function collect(form) {
    const entry = {};
    $$("[name]", form).forEach((el) => {
      const type = el.dataset.type || "text";
      if (type === "bool") { entry[el.name] = el.checked; return; }
      const value = el.value;
      if (type === "options") {
        splitLines(value).forEach((line) => {
          const at = line.indexOf("=");
          if (at > 0) entry[line.slice(0, at).trim()] = parseValue(line.slice(at + 1));
        });
        return;
      }
      if (value.trim() === "") return;
      if (type === "list") entry[el.name] = splitList(value);
      else if (type === "lines") entry[el.name] = splitLines(value);
      else if (type === "number") entry[el.name] = Number(value);
      else entry[el.name] = value.trim();
    });
    return entry;
  }

  function fill(form, entry) {
    form.reset();
    const named = new Set();
    $$("[name]", form).forEach((el) => {
      named.add(el.name);
      const v = entry[el.name];
      const type = el.dataset.type || "text";
      if (type === "bool") el.checked = v === undefined ? true : Boolean(v);
      else if (type === "options") return;
      else if (v === undefined || v === null) el.value = "";
      else if (type === "list") el.value = v.join("、");
      else if (type === "lines") el.value = v.join("\n");
      else el.value = v;
    });
    const options = $('[data-type="options"]', form);
    if (options) options.value = Object.entries(entry).filter(([k]) => !named.has(k)).map(([k, v]) => k + " = " + showValue(v)).join("\n");
  }

  function showError(form, err) { $(".form-error", form).textContent = err.message; }

  // ----- add / edit / delete entries ------------------------------------------------------
  $$(".settings-form[data-section]").forEach((form) => {
    form.addEventListener("reset", () => { delete form.dataset.index; $(".form-error", form).textContent = ""; });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      $(".form-error", form).textContent = "";
      const index = form.dataset.index === undefined ? null : Number(form.dataset.index);
      try {
        await api("POST", "/api/web/settings/" + form.dataset.section, {entry: collect(form), version: version(), index});
        location.reload();
      } catch (err) { showError(form, err); }
    });
  });
  $$("[data-edit]").forEach((b) => b.addEventListener("click", () => {
    const form = document.getElementById(b.dataset.edit);
    fill(form, JSON.parse(b.dataset.entry));
    form.dataset.index = b.dataset.index;
    form.closest("details").open = true;
    form.scrollIntoView({block: "center"});
  }));
  $$("[data-delete]").forEach((b) => b.addEventListener("click", async () => {
    if (!confirm(T["确定删除"] + " " + b.dataset.name + "?")) return;
    try {
      await api("DELETE", "/api/web/settings/" + b.dataset.delete + "/" + b.dataset.index + "?version=" + version());
      location.reload();
    } catch (err) { alert(err.message); }
  }));

  // ----- try before saving: a scheme against stored items, a source fetched now, a channel test
  const tries = {
    scheme: async (form, out) => {
      const entry = collect(form); delete entry.name;
      const doc = await api("POST", "/api/web/schemes/test", entry);
      out.innerHTML = doc.matched + "/" + doc.tested + " " + esc(T["命中"]) + "<br>" + doc.items.slice(0, 10).map((i) =>
        esc(i.published) + ' <a href="/items/' + encodeURIComponent(i.key) + '">' + esc(i.text.slice(0, 60)) + "</a>").join("<br>");
    },
    source: async (form, out) => {
      const doc = await api("POST", "/api/web/settings/sources/try", {entry: collect(form)});
      out.innerHTML = "<b>" + esc(T["试抓取结果"]) + "</b>: " + doc.count + " " + esc(T["条"]) + (doc.error ? ' <span class="error">' + esc(doc.error) + "</span>" : "") +
        '<ol class="trial">' + doc.items.map((i) => "<li>" + esc(i.published_at || "") + " <b>" + esc(i.title || "") + "</b> " + esc((i.text || "").slice(0, 80)) + "</li>").join("") + "</ol>" +
        (doc.count ? "" : esc(T["无内容"]));
    },
    channel: async (form, out) => {
      const index = form.dataset.index === undefined ? null : Number(form.dataset.index);
      const doc = await api("POST", "/api/web/settings/channels/try", {entry: collect(form), index});
      out.textContent = doc.ok ? T["发送成功"] : T["发送失败"] + ": " + doc.error;
    },
  };
  $$("[data-try]").forEach((b) => b.addEventListener("click", async () => {
    const form = b.closest("form");
    const out = $(".try-result", form);
    $(".form-error", form).textContent = "";
    out.textContent = "…";
    try { await tries[b.dataset.try](form, out); } catch (err) { out.textContent = ""; showError(form, err); }
  }));

  // ----- a lexicon file read into the terms box ----------------------------------------------
  $$("[data-upload]").forEach((input) => input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const box = $('[name="' + input.dataset.upload + '"]', input.closest("form"));
    const text = (await file.text()).replace(/^\uFEFF/, "");
    box.value = [box.value.trim(), text.trim()].filter(Boolean).join("\n");
  }));

  // ----- people: the web accounts --------------------------------------------------------------
  const person = $("#person-form");
  if (person) {
    person.addEventListener("reset", () => { delete person.dataset.name; person.elements.name.readOnly = false; });
    person.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = person.elements;
      const body = {role: f.role.value, unit: f.unit.value || null, email: f.email.value || null,
        phone: f.phone.value || null, wecom: f.wecom.value || null};
      if (f.password.value) body.password = f.password.value;
      try {
        if (person.dataset.name) await api("PATCH", "/api/web/users/" + encodeURIComponent(person.dataset.name), {...body, active: f.active.checked});
        else await api("POST", "/api/web/users", {...body, name: f.name.value});
        location.reload();
      } catch (err) { showError(person, err); }
    });
    $$("[data-edit-user]").forEach((b) => b.addEventListener("click", () => {
      const u = JSON.parse(b.dataset.editUser);
      person.reset();
      ["name", "role", "unit", "email", "phone", "wecom"].forEach((k) => { person.elements[k].value = u[k] || ""; });
      person.elements.active.checked = u.active;
      person.elements.name.readOnly = true;
      person.dataset.name = u.name;
      person.closest("details").open = true;
    }));
  }

  // ----- import a config file -------------------------------------------------------------------
  const importer = $("#settings-import");
  if (importer) importer.addEventListener("change", async () => {
    const file = importer.files[0];
    if (!file) return;
    try {
      const doc = await api("POST", "/api/web/settings/import", {toml: await file.text(), name: file.name});
      $("#import-result").textContent = T["已导入"] + " " + doc.version;
      location.reload();
    } catch (err) { $("#import-result").textContent = err.message; }
  });
})();
