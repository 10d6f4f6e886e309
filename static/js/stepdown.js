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
    setUpQuotes();
  }

  // Quote: with text selected inside a post, "Quote" puts just that passage, with attribution
  // and a link back, into the reply form on this page, at the cursor. Without a selection (or
  // without a form) the link opens the reply page with the whole post quoted by the server.
  // Nothing is sent anywhere; only this member's own textarea changes.
  function setUpQuotes() {
    var textarea = document.querySelector(".reply-box form.composer textarea[name=body]");
    if (!textarea) return;
    var captured = null;

    function selectionIn(body) {
      var selection = window.getSelection && window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) return "";
      var range = selection.getRangeAt(0);
      var startIn = body.contains(range.startContainer);
      var endIn = body.contains(range.endContainer);
      var text;
      if (startIn && endIn) {
        text = selection.toString();
      } else if (range.intersectsNode(body)) {
        // Only the part inside this post's text, never the page around it.
        var inside = range.cloneRange();
        if (!startIn) inside.setStart(body, 0);
        if (!endIn) inside.setEnd(body, body.childNodes.length);
        text = inside.toString();
      } else {
        return "";
      }
      return text.replace(/\s+$/, "").replace(/^\s*\n/, "");
    }

    function bodyOf(link) {
      var post = link.closest("article.post");
      return post && post.querySelector(".post__body");
    }

    function escapeMarkdown(text) {
      return text.replace(/([\\`*_{}\[\]()#+\-.!<>|~&:])/g, "\\$1");
    }

    function quoteText(link, text) {
      var head = "**" + escapeMarkdown(link.getAttribute("data-quote-author") || "") + "** [" +
        link.getAttribute("data-quote-wrote") + "](" + link.getAttribute("data-quote-source") + "):";
      var lines = [head].concat(text.split(/\r?\n/));
      return lines.map(function (line) { return line.trim() ? "> " + line : ">"; }).join("\n");
    }

    // A click may clear the selection before the click event, so note it on press.
    document.addEventListener("mousedown", function (event) {
      var link = event.target.closest && event.target.closest("a.post__quote");
      captured = link ? { link: link, text: selectionIn(bodyOf(link)) } : null;
    }, true);

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.post__quote");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var body = bodyOf(link);
      var text = body ? selectionIn(body) : "";
      if (!text && captured && captured.link === link) text = captured.text;
      captured = null;
      if (!text) return; // follow the link: the reply page quotes the whole post
      event.preventDefault();
      var value = textarea.value;
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      if (typeof start !== "number") { start = end = value.length; }
      var before = value.slice(0, start);
      var lead = !before ? "" : /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
      var insert = lead + quoteText(link, text) + "\n\n";
      var selection = window.getSelection && window.getSelection();
      if (selection) selection.removeAllRanges();
      textarea.setRangeText(insert, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      textarea.focus();
      var caret = start + insert.length;
      textarea.setSelectionRange(caret, caret);
    });
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
