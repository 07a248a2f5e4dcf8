// Cookie banner: records decisions through the API and loads non-essential
// scripts only after consent for their category (and removes them, with their
// cookies, on withdrawal). Without JavaScript the banner's forms post to
// /cookies/choices/ and no optional script ever loads.
(function () {
  "use strict";
  var banner = document.getElementById("cookie-banner");
  if (!banner) return;
  var nonce = document.currentScript ? document.currentScript.nonce : "";
  var form = banner.querySelector("[data-consent-form]");
  var gaId = banner.getAttribute("data-ga-id");

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function loadAnalytics() {
    if (!gaId || document.getElementById("icx-analytics")) return;
    window["ga-disable-" + gaId] = false;
    window.dataLayer = window.dataLayer || [];
    // Normally defined by consent-mode.js, which already sent the consent state.
    window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
    window.gtag("js", new Date());
    window.gtag("config", gaId, { anonymize_ip: true });
    var script = document.createElement("script");
    script.id = "icx-analytics";
    script.async = true;
    script.nonce = nonce;
    script.src = "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(gaId);
    document.head.appendChild(script);
  }

  function expireCookie(name) {
    // Analytics cookies may sit on this host or any parent domain.
    var parts = location.hostname.split(".");
    var domains = [""];
    for (var i = 0; i < parts.length - 1; i++) domains.push("; domain=." + parts.slice(i).join("."));
    domains.forEach(function (domain) {
      document.cookie = name + "=; Max-Age=0; path=/" + domain;
    });
  }

  function removeAnalytics() {
    if (gaId) window["ga-disable-" + gaId] = true;
    var script = document.getElementById("icx-analytics");
    if (script) script.remove();
    document.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (name === "_ga" || name.indexOf("_ga_") === 0 || name === "_gid") expireCookie(name);
    });
  }

  function apply(choices) {
    if (window.icxConsentMode) window.icxConsentMode(choices || {});
    if (choices && choices.analytics) loadAnalytics();
    else removeAnalytics();
  }

  // With the opt-out signal on, each category it refuses says whether the signal
  // keeps it off or the person turned it on themselves (as the server renders it).
  function showSignal(receipt) {
    if (receipt.gpc !== true) return;
    banner.setAttribute("data-gpc", "1");
    var honoured = 0;
    document.querySelectorAll("[data-gpc-honoured]").forEach(function (note) {
      note.hidden = !!receipt.choices[note.getAttribute("data-gpc-honoured")];
      if (!note.hidden) honoured++;
    });
    document.querySelectorAll("[data-gpc-overridden]").forEach(function (note) {
      note.hidden = !receipt.choices[note.getAttribute("data-gpc-overridden")];
    });
    var summary = banner.querySelector("[data-gpc-summary]");
    if (summary) summary.hidden = !honoured;
  }

  function post(body) {
    return fetch("/api/v1/consent", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("consent not recorded");
      return response.json();
    });
  }

  function chosen() {
    var choices = {};
    form.querySelectorAll("input[type=checkbox]:not([disabled])").forEach(function (box) {
      choices[box.name] = box.checked;
    });
    return choices;
  }

  function syncCheckboxes(choices) {
    form.querySelectorAll("input[type=checkbox]:not([disabled])").forEach(function (box) {
      box.checked = !!choices[box.name];
    });
    form.querySelectorAll("button[name=withdraw]").forEach(function (button) {
      button.hidden = !choices[button.value];
    });
  }

  // The page does not reload, so say here that the choice was saved (a live region).
  function confirmSaved(text) {
    var status = document.getElementById("consent-saved");
    if (!status) return;
    status.textContent = text;
    status.hidden = false;
    status.focus();
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || !window.fetch) return; // let the form post normally
    event.preventDefault();
    // A category's "Withdraw consent" button: the current choices with that one off.
    var withdraw = submitter.name === "withdraw" ? submitter.value : "";
    var body = {
      method: withdraw ? "banner_custom" : submitter.value,
      revision: banner.getAttribute("data-revision"),
      page_url: location.href.slice(0, 500),
      language: document.documentElement.lang
    };
    if (body.method === "banner_custom") body.choices = chosen();
    if (navigator.globalPrivacyControl === true) body.gpc = true;
    if (withdraw) body.choices[withdraw] = false;
    var done = [submitter.getAttribute("data-done"), banner.getAttribute("data-saved")];
    post(body).then(function (receipt) {
      syncCheckboxes(receipt.choices);
      showSignal(receipt);
      banner.hidden = true;
      apply(receipt.choices);
      confirmSaved(done.filter(Boolean).join(" "));
    }).catch(function () {
      // Fall back to the plain form, which explains any problem on the page.
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = withdraw ? "withdraw" : "method";
      hidden.value = withdraw || body.method;
      form.appendChild(hidden);
      form.submit();
    });
  });

  // "Cookie settings" reopens the banner in place: withdrawing takes no more
  // steps than agreeing did.
  document.querySelectorAll("[data-cookie-settings]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      banner.hidden = false;
      var details = banner.querySelector("details");
      if (details) details.open = true;
      var heading = banner.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    });
  });

  if (banner.getAttribute("data-analytics") === "1") loadAnalytics();

  // Undeclared-tracker discovery: once per page view, for a sample of them, the
  // names (never values) of cookies and localStorage keys and the hosts of
  // third-party scripts, frames and requests; the server keeps what the
  // declaration lacks. (embed.js does the same on other iCentrex sites.)
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
    document.querySelectorAll("script[src], iframe[src]").forEach(function (node) { add(node.src); });
    performance.getEntriesByType("resource").forEach(function (entry) { add(entry.name); });
    return {
      page_url: location.href.slice(0, 500),
      cookies: cookies.filter(function (name) { return token.test(name); }).slice(0, 50),
      storage: storage.filter(function (key) { return key.length <= 120; }).slice(0, 50),
      hosts: Object.keys(hosts).slice(0, 50)
    };
  }
  var sample = parseFloat(banner.getAttribute("data-report-sample")) || 0;
  if (window.fetch && Math.random() < sample) {
    window.addEventListener("load", function () {
      setTimeout(function () {
        fetch("/api/v1/consent/trackers", { method: "POST", credentials: "same-origin", keepalive: true,
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(found()) }).catch(function () {});
      }, 1500);
    });
  }

  // Global Privacy Control read by the page (a browser or extension may set it
  // without sending Sec-GPC): recorded once, as the server records the header.
  if (navigator.globalPrivacyControl === true && banner.getAttribute("data-gpc") !== "1" && window.fetch) {
    post({ method: "gpc", revision: banner.getAttribute("data-revision"),
           page_url: location.href.slice(0, 500), language: document.documentElement.lang })
      .then(function (receipt) {
        syncCheckboxes(receipt.choices);
        showSignal(receipt);
        apply(receipt.choices);
      }).catch(function () {});
  }
})();
