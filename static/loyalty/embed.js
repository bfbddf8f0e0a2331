/* Portico: a member's points on the store's own pages. See docs/loyalty.md.
 *
 * <div data-portico-balance></div>
 * <script src="https://portal.example/embed/loyalty.js" data-token="..." async></script>
 *
 * data-token: a customer token the store's server signed for this page view; or
 * data-token-url: an address on the store that answers a fresh one (text or {"token": ...}).
 * data-lang: the language of the text (default: the page's <html lang>).
 * Whatever fails, the placeholder keeps what the store put in it (nothing, or a link).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.URL) return;
  var portal;
  try {
    portal = new URL(script.src).origin;
  } catch (e) {
    return;
  }

  function token() {
    var given = script.getAttribute("data-token");
    if (given) return Promise.resolve(given);
    var url = script.getAttribute("data-token-url");
    if (!url) return Promise.resolve("");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("token " + response.status);
        return response.text();
      })
      .then(function (body) {
        body = body.trim();
        try {
          return JSON.parse(body).token || "";
        } catch (e) {
          return body;
        }
      });
  }

  function part(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function render(place, data) {
    var text = data && data.text;
    if (!text || !text.link || !/^https?:/.test(data.rewards_url || "")) return;
    var nodes = [];
    if (text.balance) nodes.push(part("span", "portico-balance-points", text.balance));
    if (text.tier) nodes.push(part("span", "portico-balance-tier", text.tier));
    var link = part("a", "portico-balance-link", text.link);
    link.href = data.rewards_url;
    nodes.push(link);
    while (place.firstChild) place.removeChild(place.firstChild);
    nodes.forEach(function (node, i) {
      if (i) place.appendChild(document.createTextNode(" "));
      place.appendChild(node);
    });
  }

  function run() {
    try {
      var places = document.querySelectorAll("[data-portico-balance]");
      if (!places.length) return;
      for (var i = 0; i < places.length; i++) places[i].setAttribute("aria-live", "polite");
      var lang = script.getAttribute("data-lang") || document.documentElement.lang || "";
      var url = portal + "/api/loyalty/me" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
      token()
        .then(function (value) {
          var headers = { Accept: "application/json" };
          if (value) headers.Authorization = "Bearer " + value;
          // Cookies only on the portal's own pages; elsewhere the token is the credential.
          return fetch(url, { headers: headers, credentials: "same-origin" });
        })
        .then(function (response) {
          if (!response.ok) throw new Error("balance " + response.status);
          return response.json();
        })
        .then(function (data) {
          for (var j = 0; j < places.length; j++) {
            try {
              render(places[j], data);
            } catch (e) {
              /* leave this placeholder as the store wrote it */
            }
          }
        })
        .catch(function () {
          /* never break the host page */
        });
    } catch (e) {
      /* never break the host page */
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
