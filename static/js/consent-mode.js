// Google Consent Mode v2. Runs before any tag can load (synchronous, in <head>):
// every consent type starts denied (except those of strictly necessary
// categories), region defaults follow, and a returning visitor's choices are
// sent as an update at once. consent.js calls icxConsentMode(choices) after
// every decision, withdrawal or opt-out signal. Which category grants which
// type is the cookie declaration's data (#icx-consent-mode).
(function () {
  "use strict";
  var node = document.getElementById("icx-consent-mode");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  window.dataLayer = window.dataLayer || [];
  // gtag's own shape: it pushes its arguments object, which Google's tags expect.
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };

  function state(choices) {
    var types = {};
    Object.keys(data.categories).forEach(function (key) {
      var on = data.necessary.indexOf(key) >= 0 || !!(choices && choices[key]);
      data.categories[key].forEach(function (type) {
        types[type] = on || types[type] === "granted" ? "granted" : "denied";
      });
    });
    return types;
  }

  var defaults = state(null);
  defaults.wait_for_update = data.wait_for_update;
  window.gtag("consent", "default", defaults);
  data.regions.forEach(function (region) { window.gtag("consent", "default", region); });
  if (data.update) window.gtag("consent", "update", data.update);

  window.icxConsentMode = function (choices) { window.gtag("consent", "update", state(choices)); };
})();
