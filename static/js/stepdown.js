// Stepdown's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Move keyboard focus to the element a same-page link or a permalink points at, so a
  // screen-reader or keyboard user continues from there (skip link, "Link to comment").
  function focusTarget(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link) {
      // Let the browser scroll first, then move focus.
      window.setTimeout(function () { focusTarget(link.getAttribute("href")); }, 0);
    }
  });

  function onReady() {
    focusTarget(window.location.hash);
    setUpShare();
  }

  // Share: the system share sheet where the browser has one; otherwise the panel with the link,
  // a "Copy link" button and an email link. Nothing is loaded from anywhere else.
  function setUpShare() {
    document.querySelectorAll("details.share").forEach(function (details) {
      var url = details.getAttribute("data-share-url");
      var title = details.getAttribute("data-share-title");
      var summary = details.querySelector("summary");
      var copy = details.querySelector(".share__copy");
      var status = details.querySelector(".share__status");
      var input = details.querySelector(".share__url");
      if (copy) copy.hidden = false;

      if (navigator.share) {
        summary.addEventListener("click", function (event) {
          event.preventDefault();
          navigator.share({ title: title, url: url }).catch(function (error) {
            // Cancelled by the member, or not allowed: fall back to the panel.
            if (error && error.name !== "AbortError") details.open = true;
          });
        });
      }

      if (copy) {
        copy.addEventListener("click", function () {
          var done = function () { status.textContent = status.getAttribute("data-copied"); };
          var fallback = function () {
            input.focus();
            input.select();
            try {
              document.execCommand("copy");
              done();
            } catch (e) {
              status.textContent = status.getAttribute("data-failed");
            }
          };
          if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(url).then(done, fallback);
          } else {
            fallback();
          }
        });
      }

      if (input) {
        input.addEventListener("focus", function () { input.select(); });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  window.addEventListener("hashchange", function () { focusTarget(window.location.hash); });
})();
