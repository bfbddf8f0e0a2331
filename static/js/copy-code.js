/* Copy buttons for the rewards page's codes. Progressive enhancement: without this script
   the buttons stay hidden and each code is plain text to select. The outcome is announced
   in the live region next to the button ("Copied"). No dependencies, nothing from
   another host. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    // Outside a secure context there is no navigator.clipboard: copy from a selection.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(field);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function announce(region, message) {
    // Emptied first, so the same words said twice are announced twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var code = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!code || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(code.textContent.trim()).then(
        function () {
          announce(status, button.getAttribute("data-copied"));
        },
        function () {
          selectText(code);
          announce(status, button.getAttribute("data-copy-failed"));
        }
      );
    });
  });
})();
