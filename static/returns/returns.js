/* Returns: small helps on top of forms that work without this script.
   - An error summary takes the focus, so a screen reader starts with what to fix.
   - On the items form, a line's reason, photos and comment show once a quantity is chosen.
   - On the review page, "what would you like instead" shows only for an exchange, and a
     changed option says the amounts must be updated.
   - A form is sent once: a second click while it is on its way does nothing, and its
     buttons say so (the server copes with a second one too: without this script, or
     with a slow network, it still arrives). */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  document.querySelectorAll("main form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-sending")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sending", "");
      // After this event: a button disabled now would leave its name and value out of
      // what is sent ("action=submit" on the review page).
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  });
  // Back to a page kept in the browser's memory: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
      form.querySelectorAll("button").forEach(function (b) {
        b.disabled = false;
      });
    });
  });

  document.querySelectorAll("[data-return-line]").forEach(function (line) {
    var quantity = line.querySelector("[name$='-quantity']");
    var details = line.querySelector("[data-return-details]");
    if (!quantity || !details) return;
    // Never hide a field that has an error, or one the customer already filled.
    if (details.querySelector("[aria-invalid]")) return;
    function sync() {
      var value = parseInt(quantity.value, 10);
      details.hidden = !(value > 0);
    }
    quantity.addEventListener("change", sync);
    quantity.addEventListener("input", sync);
    sync();
  });

  var review = document.querySelector("[data-return-review]");
  if (review) {
    var exchange = review.querySelector("[data-exchange-only]");
    var note = review.querySelector("[data-amounts-note]");
    var quoted = review.getAttribute("data-quoted");
    function chosen(name) {
      var input = review.querySelector("[name=" + name + "]:checked");
      return input ? input.value : "";
    }
    function syncReview() {
      if (exchange && !exchange.querySelector("[aria-invalid]")) {
        exchange.hidden = chosen("resolution") !== "exchange";
      }
      if (note && quoted) {
        var stale = quoted !== chosen("resolution") + ":" + chosen("method");
        note.classList.toggle("notice", stale);
        note.classList.toggle("notice--warn", stale);
      }
    }
    review.addEventListener("change", syncReview);
    syncReview();
  }
})();
