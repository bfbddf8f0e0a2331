/* "Was this helpful?": vote without a reload, show the comment box after a No, and count
   the article's view. The page works without this script (the form posts and comes back). */
(function () {
  "use strict";

  function init(widget) {
    var form = widget.querySelector("[data-feedback-form]");
    var status = widget.querySelector("[data-feedback-status]");
    var commentBox = widget.querySelector("[data-feedback-comment]");
    var comment = commentBox.querySelector("textarea");
    var send = widget.querySelector("[data-feedback-send]");
    var choices = widget.querySelectorAll(".article-feedback__choice");

    commentBox.hidden = true;
    send.textContent = send.getAttribute("data-label") || send.textContent;

    function press(value) {
      choices.forEach(function (button) {
        button.setAttribute("aria-pressed", button.value === value ? "true" : "false");
      });
    }

    function post(helpful, text) {
      var body = new FormData();
      body.append("helpful", helpful);
      body.append("comment", text || "");
      return fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      var helpful = button ? button.value : "no";
      var isComment = button === send;
      press(helpful);
      post(helpful, isComment ? comment.value : "")
        .then(function () {
          if (isComment) {
            commentBox.hidden = true;
            status.textContent = widget.dataset.thanksComment;
          } else if (helpful === "no") {
            commentBox.hidden = false;
            status.textContent = widget.dataset.thanksNo;
            comment.focus();
          } else {
            commentBox.hidden = true;
            status.textContent = widget.dataset.thanks;
          }
        })
        .catch(function () {
          status.textContent = widget.dataset.error;
        });
    });

    // The view beacon also brings the visitor's earlier vote (the page may come from a
    // cache that is the same for every guest).
    fetch(widget.dataset.viewUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.vote) press(data.vote);
      })
      .catch(function () {});
  }

  document.querySelectorAll("[data-article-feedback]").forEach(init);
})();
