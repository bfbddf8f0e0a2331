/* The help center's search box: suggestions as you type (an ARIA 1.2 combobox with a
   listbox popup, driven from the keyboard with the arrows, Enter and Escape), the search it
   settles on logged once, and opened results counted for the search analytics. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var SETTLE_MS = 1500;

  function beacon(url, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
    fetch(url, { method: "POST", body: data, keepalive: true }).catch(function () {});
  }

  function setUp(form) {
    if (form.dataset.kbReady) return;
    form.dataset.kbReady = "1";
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-kb-search-status]");
    var suggestUrl = form.dataset.suggestUrl;
    var clickUrl = form.dataset.clickUrl;
    var timer = null, settleTimer = null, pending = null;
    var items = [], active = -1, lastQuery = null, loggedQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open(index) {
      var item = items[index];
      if (!item) return;
      beacon(clickUrl, { q: lastQuery || input.value, a: item.id, p: index + 1, source: "suggest" });
      window.location.assign(item.url);
    }

    function render(results) {
      items = results;
      list.textContent = "";
      results.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = "kb-search-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "kb-search__option";
        var title = document.createElement("span");
        title.className = "kb-search__option-title";
        title.textContent = item.title;
        option.appendChild(title);
        if (item.summary) {
          var summary = document.createElement("span");
          summary.className = "kb-search__option-summary";
          summary.textContent = item.summary;
          option.appendChild(summary);
        }
        // mousedown would move focus off the input (and close the list) before click.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { open(i); });
        list.appendChild(option);
      });
      active = -1;
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = results.length === 1
          ? form.dataset.oneResult
          : form.dataset.manyResults.replace("%(count)s", results.length);
      } else {
        close();
        status.textContent = input.value.trim().length >= 2 ? form.dataset.noResults : "";
      }
    }

    function fetchSuggestions(query, log) {
      if (pending) pending.abort();
      pending = new AbortController();
      var params = { q: query };
      if (log) params.log = "1";
      return fetch(suggestUrl + "?" + new URLSearchParams(params), {
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (input.value.trim() === query) render(data.results || []);
        })
        .catch(function () {});
    }

    function settle() {
      var query = input.value.trim();
      if (query.length >= 2 && query !== loggedQuery && document.activeElement === input) {
        loggedQuery = query;
        fetchSuggestions(query, true);
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      clearTimeout(settleTimer);
      timer = setTimeout(function () {
        var query = input.value.trim();
        if (query === lastQuery) return;
        lastQuery = query;
        if (query.length < 2) {
          render([]);
          return;
        }
        fetchSuggestions(query, false);
      }, DEBOUNCE_MS);
      settleTimer = setTimeout(settle, SETTLE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = items.length;
      if (event.key === "ArrowDown") {
        if (!count) return;
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!count) return;
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          open(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          lastQuery = null;
          render([]);
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { close(); });
    input.addEventListener("focus", function () {
      if (items.length && input.value.trim() === lastQuery) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
    form.addEventListener("submit", function () { clearTimeout(settleTimer); });
  }

  function trackResults(container) {
    var event = container.dataset.searchEvent;
    var form = document.querySelector("[data-kb-search]");
    if (!event || !form) return;
    container.addEventListener("click", function (e) {
      var link = e.target.closest("a[data-article]");
      if (!link) return;
      beacon(form.dataset.clickUrl, { e: event, a: link.dataset.article, p: link.dataset.position });
    });
  }

  function init() {
    document.querySelectorAll("[data-kb-search]").forEach(setUp);
    document.querySelectorAll("[data-kb-results]").forEach(trackResults);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
