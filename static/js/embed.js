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

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function record(declaration, method, choices, banner) {
    var body = { method: method, revision: declaration.revision, page_url: location.href.slice(0, 500),
                 language: document.documentElement.lang || "" };
    if (choices) body.choices = choices;
    if (saved && saved.visitor) body.visitor = saved.visitor;
    return fetch(base + "/api/v1/consent", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (receipt) {
      saved = { visitor: receipt.visitor, revision: receipt.revision_hash, choices: receipt.choices };
      localStorage.setItem(storeKey, JSON.stringify(saved));
      banner.remove();
      document.dispatchEvent(new CustomEvent("icx:consent", { detail: receipt.choices }));
    }).catch(function () {
      banner.querySelector("[data-status]").textContent = "Your choice could not be saved. Please try again.";
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
      return category.name + ", set by " + providers.join(", ");
    });
    return uses.length ? " With your permission we also use cookies for " + uses.join("; ") + "." : "";
  }

  function show(declaration) {
    var banner = el("section", { id: "icx-consent-banner", role: "region", "aria-label": "Cookie choices",
                                 style: "position:fixed;left:0;right:0;bottom:0;background:#fff;color:#111827;" +
                                        "border-top:3px solid #1d4ed8;padding:1rem;font:16px system-ui,sans-serif;z-index:2147483647" });
    banner.appendChild(el("h2", { style: "margin:0 0 .5rem;font-size:1.2rem" }, "Cookies on iCentrex"));
    banner.appendChild(el("p", {}, "We use strictly necessary cookies to run the service." + asksFor(declaration)));
    var boxes = el("div", {});
    declaration.categories.forEach(function (category) {
      var id = "icx-cat-" + category.key;
      var row = el("div", {});
      var box = el("input", { type: "checkbox", id: id, name: category.key });
      if (category.necessary) { box.checked = true; box.disabled = true; }
      row.appendChild(box);
      row.appendChild(el("label", { for: id }, " " + category.name + (category.necessary ? " (always on)" : "")));
      boxes.appendChild(row);
    });
    var buttonStyle = "margin:.5rem .5rem .5rem 0;padding:.6rem 1.1rem;border-radius:8px;border:1px solid #1d4ed8;" +
                      "background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer";
    var accept = el("button", { type: "button", style: buttonStyle }, "Accept all");
    var reject = el("button", { type: "button", style: buttonStyle }, "Reject all");
    var custom = el("button", { type: "button", style: buttonStyle.replace("background:#1d4ed8;color:#fff", "background:#fff;color:#1d4ed8") }, "Save my choices");
    accept.addEventListener("click", function () { record(declaration, "banner_accept_all", null, banner); });
    reject.addEventListener("click", function () { record(declaration, "banner_reject_all", null, banner); });
    custom.addEventListener("click", function () {
      var choices = {};
      boxes.querySelectorAll("input:not([disabled])").forEach(function (box) { choices[box.name] = box.checked; });
      record(declaration, "banner_custom", choices, banner);
    });
    banner.appendChild(accept);
    banner.appendChild(reject);
    banner.appendChild(boxes);
    banner.appendChild(custom);
    banner.appendChild(el("p", { "data-status": "", role: "status" }));
    document.body.appendChild(banner);
  }

  fetch(base + "/api/v1/cookies/declaration", { mode: "cors", credentials: "omit" })
    .then(function (response) { return response.json(); })
    .then(function (declaration) {
      if (saved && saved.revision === declaration.revision) {
        document.dispatchEvent(new CustomEvent("icx:consent", { detail: saved.choices }));
        return;
      }
      show(declaration);
    });
})();
