// iCentrex consent banner for other iCentrex properties:
//   <script src="https://privacy.icentrex.example/static/js/embed.js" defer></script>
// Shows the same choices as the privacy site (from the public declaration),
// records decisions through the public API (the property's origin must be
// configured), and keeps the visitor token in this site's localStorage.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src).origin;
  var storeKey = "icx-consent";
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (error) { saved = null; }
  var gpc = navigator.globalPrivacyControl === true;

  // Google Consent Mode v2: everything denied, and tags wait for the choice, from
  // the moment this script runs (load it before the site's tags); the declaration
  // says which category grants which type.
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  window.gtag("consent", "default", { ad_storage: "denied", ad_user_data: "denied", ad_personalization: "denied",
    analytics_storage: "denied", functionality_storage: "denied", personalization_storage: "denied",
    security_storage: "denied", wait_for_update: 500 });

  // Blocking beyond the page's own <script> tags: scripts and frames that other
  // scripts add later (src set in code, or markup inserted) from a host the
  // declaration lists under a category the visitor has not agreed to are held:
  // a frame shows a placeholder that says what is held and offers to allow its
  // category. Until the declaration arrives every third-party one waits.
  // Hosts the declaration lacks load (discovery reports them; declaring one
  // puts it under its category). Load this script first for this to cover
  // everything the page adds.
  var declared = null; // the declaration, once fetched
  var held = [];
  var sources = [HTMLScriptElement, HTMLIFrameElement].map(function (type) {
    return { type: type, src: Object.getOwnPropertyDescriptor(type.prototype, "src") };
  });
  function realSetter(node) {
    for (var i = 0; i < sources.length; i++) if (node instanceof sources[i].type) return sources[i].src.set;
    return null;
  }
  function heldCategory(url) {
    var host;
    try { host = new URL(url, location.href).hostname; } catch (error) { return null; }
    if (host === location.hostname || host === new URL(base).hostname) return null;
    if (!declared) return { key: "", name: "", host: host };
    var found = null;
    declared.categories.forEach(function (category) {
      (category.hosts || []).forEach(function (item) {
        if (host === item.host || host.slice(-item.host.length - 1) === "." + item.host) found = category;
      });
    });
    if (!found || found.necessary || (saved && saved.choices && saved.choices[found.key])) return null;
    return { key: found.key, name: found.name, host: host };
  }
  function hold(node, url, category) {
    node.setAttribute("data-icx-src", url);
    var item = { node: node, url: url, category: category, placeholder: null };
    held.push(item);
    placeholder(item);
  }
  function placeholder(item) {
    var frame = item.node instanceof HTMLIFrameElement;
    if (!frame || item.placeholder || !item.node.parentNode || !item.category.key) return;
    var box = el("div", { role: "group", "aria-label": text("blocked_label"), "data-icx-held": item.category.key,
                          style: "border:1px dashed #6b7280;padding:1rem;margin:.5rem 0;font:15px system-ui,sans-serif;" +
                                 "color:#111827;background:#f9fafb;max-width:100%" });
    box.appendChild(el("p", { style: "margin:0 0 .5rem" },
      text("blocked", { host: item.category.host, category: item.category.name })));
    var allow = el("button", { type: "button", style: "padding:.5rem 1rem;border-radius:8px;border:1px solid #1d4ed8;" +
      "background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer" }, text("allow", { category: item.category.name }));
    allow.addEventListener("click", function () {
      var choices = {};
      declared.categories.forEach(function (category) {
        if (!category.necessary) choices[category.key] = !!(saved && saved.choices && saved.choices[category.key]);
      });
      choices[item.category.key] = true;
      record(declared, "banner_custom", choices).then(function () {
        var banner = document.getElementById("icx-consent-banner");
        if (banner) banner.remove();
      }).catch(function () { allow.textContent = "Could not be saved. Try again"; });
    });
    box.appendChild(allow);
    item.node.parentNode.insertBefore(box, item.node);
    item.node.style.display = "none";
    item.placeholder = box;
  }
  function release() {
    held = held.filter(function (item) {
      var category = heldCategory(item.url);
      if (category) {
        item.category = category;
        placeholder(item);
        return true;
      }
      if (item.placeholder) item.placeholder.remove();
      item.node.style.display = "";
      item.node.removeAttribute("data-icx-src");
      realSetter(item.node).call(item.node, item.url);
      return false;
    });
  }
  sources.forEach(function (source) {
    Object.defineProperty(source.type.prototype, "src", {
      configurable: true, enumerable: source.src.enumerable, get: source.src.get,
      set: function (url) {
        var category = heldCategory(String(url));
        if (category) hold(this, String(url), category); else source.src.set.call(this, url);
      }
    });
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "src" && realSetter(this)) { this.src = value; return; }
    return setAttribute.call(this, name, value);
  };
  // Markup inserted with its src already there (innerHTML): frames are stopped and
  // held; scripts inserted that way never run, so they need nothing.
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        var frames = node.tagName === "IFRAME" ? [node] : Array.prototype.slice.call(node.querySelectorAll("iframe"));
        frames.forEach(function (frame) {
          var placed = held.filter(function (item) { return item.node === frame; })[0];
          if (placed) { placeholder(placed); return; }
          var url = frame.getAttribute("src");
          var category = url && heldCategory(url);
          if (!category) return;
          setAttribute.call(frame, "src", "about:blank");
          hold(frame, url, category);
        });
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // The banner's words come with the declaration, in the page's language (English
  // until it has arrived, and for a language the privacy site does not speak).
  var texts = {};
  function text(key, values) {
    var phrase = texts[key] || key;
    Object.keys(values || {}).forEach(function (name) { phrase = phrase.replace("%(" + name + ")s", values[name]); });
    return phrase;
  }

  function consentMode(declaration, choices) {
    var types = {};
    declaration.categories.forEach(function (category) {
      var on = category.necessary || !!choices[category.key];
      (category.consent_mode || []).forEach(function (type) {
        types[type] = on || types[type] === "granted" ? "granted" : "denied";
      });
    });
    window.gtag("consent", "update", types);
  }

  function decided(declaration, choices) {
    return declaration.categories.every(function (category) {
      return category.necessary || category.key in choices;
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function record(declaration, method, choices) {
    var body = { method: method, revision: declaration.revision, page_url: location.href.slice(0, 500),
                 language: document.documentElement.lang || "" };
    if (choices) body.choices = choices;
    if (gpc) body.gpc = true;
    if (saved && saved.visitor) body.visitor = saved.visitor;
    return fetch(base + "/api/v1/consent", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (receipt) {
      saved = { visitor: receipt.visitor, revision: receipt.revision_hash, choices: receipt.choices,
                gpc: receipt.gpc === true };
      localStorage.setItem(storeKey, JSON.stringify(saved));
      consentMode(declaration, receipt.choices);
      release();
      document.dispatchEvent(new CustomEvent("icx:consent", { detail: receipt.choices }));
      return receipt;
    });
  }

  function decide(declaration, method, choices, banner) {
    record(declaration, method, choices).then(function () { banner.remove(); }).catch(function () {
      banner.querySelector("[data-status]").textContent = text("not_saved");
    });
  }

  // What the banner asks for comes from the declaration: only optional categories
  // that hold cookies, with who sets them (as on the privacy site's own banner).
  function asksFor(declaration) {
    var uses = declaration.categories.filter(function (category) {
      return !category.necessary && category.cookies.length;
    }).map(function (category) {
      var providers = [];
      category.cookies.forEach(function (cookie) {
        if (providers.indexOf(cookie.provider) < 0) providers.push(cookie.provider);
      });
      return text("set_by", { category: category.name, providers: providers.join(", ") });
    });
    return uses.length ? " " + text("asks_for", { uses: uses.join("; ") }) : "";
  }

  function show(declaration) {
    var banner = el("section", { id: "icx-consent-banner", role: "region", "aria-label": text("region"),
                                 style: "position:fixed;left:0;right:0;bottom:0;background:#fff;color:#111827;" +
                                        "border-top:3px solid #1d4ed8;padding:1rem;font:16px system-ui,sans-serif;z-index:2147483647" });
    banner.appendChild(el("h2", { style: "margin:0 0 .5rem;font-size:1.2rem" }, text("title")));
    banner.appendChild(el("p", {}, text("intro") + asksFor(declaration)));
    var boxes = el("div", {});
    declaration.categories.forEach(function (category) {
      var id = "icx-cat-" + category.key;
      var row = el("div", {});
      var box = el("input", { type: "checkbox", id: id, name: category.key });
      var choices = (saved && saved.choices) || {};
      if (category.necessary) { box.checked = true; box.disabled = true; } else box.checked = !!choices[category.key];
      row.appendChild(box);
      row.appendChild(el("label", { for: id }, " " + category.name + (category.necessary ? " (" + text("always_on") + ")" : "")));
      if (saved && saved.gpc && category.gpc_opt_out && !choices[category.key]) {
        row.appendChild(el("p", { "data-gpc-honoured": category.key, style: "margin:.2rem 0 .4rem 1.6rem" },
          text("signal_honoured") + ": " + text("signal_explained")));
      }
      boxes.appendChild(row);
    });
    var buttonStyle = "margin:.5rem .5rem .5rem 0;padding:.6rem 1.1rem;border-radius:8px;border:1px solid #1d4ed8;" +
                      "background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer";
    var accept = el("button", { type: "button", style: buttonStyle }, text("accept_all"));
    var reject = el("button", { type: "button", style: buttonStyle }, text("reject_all"));
    var custom = el("button", { type: "button", style: buttonStyle.replace("background:#1d4ed8;color:#fff", "background:#fff;color:#1d4ed8") }, text("save"));
    accept.addEventListener("click", function () { decide(declaration, "banner_accept_all", null, banner); });
    reject.addEventListener("click", function () { decide(declaration, "banner_reject_all", null, banner); });
    custom.addEventListener("click", function () {
      var choices = {};
      boxes.querySelectorAll("input:not([disabled])").forEach(function (box) { choices[box.name] = box.checked; });
      decide(declaration, "banner_custom", choices, banner);
    });
    banner.appendChild(accept);
    banner.appendChild(reject);
    banner.appendChild(boxes);
    banner.appendChild(custom);
    banner.appendChild(el("p", { "data-status": "", role: "status" }));
    document.body.appendChild(banner);
  }

  // Undeclared-tracker discovery, as consent.js does it: once per page view, for a
  // sample of them (data-report-sample on this script's tag, 0.1 when absent),
  // names and hosts only, never values.
  function found() {
    var token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,120}$/, hosts = {}, storage = [];
    var cookies = document.cookie.split(";").map(function (pair) { return pair.split("=")[0].trim(); });
    try { for (var i = 0; i < localStorage.length; i++) storage.push(localStorage.key(i)); } catch (error) { storage = []; }
    function add(url) {
      try {
        var parsed = new URL(url, location.href);
        if (/^https?:$/.test(parsed.protocol) && parsed.hostname !== location.hostname) hosts[parsed.hostname] = 1;
      } catch (error) { /* not a URL */ }
    }
    document.querySelectorAll("script[src], iframe[src], [data-icx-src]").forEach(function (node) {
      add(node.getAttribute("data-icx-src") || node.src);
    });
    performance.getEntriesByType("resource").forEach(function (entry) { add(entry.name); });
    var body = {
      page_url: location.href.slice(0, 500),
      cookies: cookies.filter(function (name) { return token.test(name); }).slice(0, 50),
      storage: storage.filter(function (key) { return key.length <= 120; }).slice(0, 50),
      hosts: Object.keys(hosts).slice(0, 50)
    };
    if (saved && saved.visitor) body.visitor = saved.visitor;
    return body;
  }
  var sampleAttribute = script.getAttribute("data-report-sample");
  var sample = sampleAttribute === null ? 0.1 : parseFloat(sampleAttribute) || 0;
  if (Math.random() < sample) {
    var report = function () {
      setTimeout(function () {
        fetch(base + "/api/v1/consent/trackers", { method: "POST", mode: "cors", credentials: "omit", keepalive: true,
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(found()) }).catch(function () {});
      }, 1500);
    };
    if (document.readyState === "complete") report(); else window.addEventListener("load", report);
  }

  var language = (document.documentElement.lang || "en").split("-")[0].replace(/[^A-Za-z]/g, "") || "en";
  fetch(base + "/api/v1/cookies/declaration?lang=" + encodeURIComponent(language), { mode: "cors", credentials: "omit" })
    .then(function (response) { return response.json(); })
    .then(function (declaration) {
      declared = declaration;
      texts = declaration.banner || {};
      release();
      var current = saved && saved.revision === declaration.revision;
      // The opt-out signal, once per change of it or of the declaration (as on the privacy site).
      var signal = gpc && !(current && saved.gpc) ? record(declaration, "gpc") : Promise.resolve(null);
      return signal.catch(function () { return null; }).then(function () {
        if (saved && saved.revision === declaration.revision) {
          consentMode(declaration, saved.choices);
          document.dispatchEvent(new CustomEvent("icx:consent", { detail: saved.choices }));
          if (decided(declaration, saved.choices)) return;
        }
        show(declaration);
      });
    });
})();
