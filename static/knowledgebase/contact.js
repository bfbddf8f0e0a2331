/* The contact form suggests help articles as the customer types the subject, and records
   the ones they open (an opened article without a message sent afterwards is a
   deflection). Without this script the form simply sends. */
(function () {
  "use strict";

  var form = document.querySelector("[data-contact-form]");
  if (!form) return;
  var subject = form.querySelector("[name=subject]");
  var box = form.querySelector("[data-suggestions]");
  var list = box.querySelector("ul");
  var status = form.querySelector("[data-suggestions-status]");
  var visit = form.querySelector("[name=visit]").value;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var lastQuery = "";
  var pending = null;

  function announce(count) {
    var text;
    if (count === 0) text = form.dataset.foundNone;
    else if (count === 1) text = form.dataset.foundOne;
    else text = form.dataset.foundMany.replace("%(count)s", String(count));
    status.textContent = text;
  }

  function recordOpen(articleId) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("visit", visit);
    data.append("article", String(articleId));
    // A beacon survives the navigation to the article that follows the click.
    if (navigator.sendBeacon && navigator.sendBeacon(form.dataset.openUrl, data)) return;
    fetch(form.dataset.openUrl, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.addEventListener("click", function () { recordOpen(result.id); });
      item.appendChild(link);
      if (result.summary) {
        var summary = document.createElement("span");
        summary.className = "contact-suggestions__summary";
        summary.textContent = result.summary;
        item.appendChild(summary);
      }
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
    announce(results.length);
  }

  function search() {
    var query = subject.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 3) {
      show([]);
      status.textContent = "";
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    var url = form.dataset.suggestUrl + "?" + new URLSearchParams({ q: query, source: "contact" });
    fetch(url, { headers: { Accept: "application/json" }, signal: pending.signal })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (subject.value.trim() === query) show(data.results || []);
      })
      .catch(function () {});
  }

  // The search is recorded once, when the customer leaves the subject (a settled query).
  var lastLogged = "";
  subject.addEventListener("change", function () {
    var query = subject.value.trim();
    if (query.length < 3 || query === lastLogged) return;
    lastLogged = query;
    var url = form.dataset.suggestUrl + "?" + new URLSearchParams({ q: query, source: "contact", log: "1" });
    fetch(url, { headers: { Accept: "application/json" } }).catch(function () {});
  });

  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 350);
  });
  if (subject.value.trim()) search();
})();
