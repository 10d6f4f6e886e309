// The composer's enhancements: formatting toolbar, draft autosave, one submission per click.
// Without this file every composer still works: Markdown by hand, "Preview", "Save draft".
// The live preview itself is htmx (hx-* attributes in forum/_composer.html).
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 1200; // ms after the last keystroke

  // --- Formatting toolbar -----------------------------------------------------------------
  // Each tool wraps the selection (or a placeholder, selected so typing replaces it) or
  // prefixes the selected lines. Edits go through insertText where the browser has it, so
  // Undo keeps working.

  function replaceSelection(textarea, text, selectFrom, selectTo) {
    var start = textarea.selectionStart;
    textarea.focus();
    var done = false;
    try {
      done = document.execCommand && document.execCommand("insertText", false, text);
    } catch (e) {
      done = false;
    }
    if (!done) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (typeof selectFrom === "number") {
      textarea.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function wrap(textarea, marker, placeholder) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    var inner = selected || placeholder;
    replaceSelection(textarea, marker + inner + marker, marker.length,
      marker.length + inner.length);
  }

  function link(textarea, placeholder) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    var label = selected || placeholder;
    var text = "[" + label + "](https://)";
    // Select the address part, ready to paste over.
    var from = label.length + 3;
    replaceSelection(textarea, text, from, from + "https://".length);
  }

  function prefixLines(textarea, prefix, placeholder) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lineEnd = value.indexOf("\n", end);
    if (end > start && value.charAt(end - 1) === "\n") lineEnd = end - 1;
    if (lineEnd === -1) lineEnd = value.length;
    textarea.setSelectionRange(start, lineEnd);
    var lines = value.slice(start, lineEnd);
    var text;
    if (!lines.trim()) {
      text = prefix + placeholder;
      replaceSelection(textarea, text, prefix.length, text.length);
      return;
    }
    text = lines.split("\n").map(function (line) { return prefix + line; }).join("\n");
    replaceSelection(textarea, text, 0, text.length);
  }

  function applyFormat(textarea, format, toolbar) {
    var placeholders = toolbar.dataset;
    if (format === "bold") wrap(textarea, "**", placeholders.boldText || "bold text");
    else if (format === "italic") wrap(textarea, "*", placeholders.italicText || "italic text");
    else if (format === "link") link(textarea, placeholders.linkText || "link text");
    else if (format === "quote") prefixLines(textarea, "> ", placeholders.quoteText || "quote");
    else if (format === "list") prefixLines(textarea, "- ", placeholders.listText || "item");
  }

  function setUpToolbar(form) {
    var toolbar = form.querySelector("[data-composer-toolbar]");
    var textarea = form.querySelector("textarea[name=body]");
    if (!toolbar || !textarea) return;
    toolbar.hidden = false;
    var tools = Array.prototype.slice.call(toolbar.querySelectorAll("[data-format]"));

    toolbar.addEventListener("click", function (event) {
      var tool = event.target.closest("[data-format]");
      if (tool) applyFormat(textarea, tool.getAttribute("data-format"), toolbar);
    });

    // One tab stop for the whole toolbar; arrow keys move between its buttons.
    toolbar.addEventListener("keydown", function (event) {
      var index = tools.indexOf(document.activeElement);
      if (index < 0) return;
      var next = null;
      if (event.key === "ArrowRight") next = tools[(index + 1) % tools.length];
      else if (event.key === "ArrowLeft") next = tools[(index - 1 + tools.length) % tools.length];
      else if (event.key === "Home") next = tools[0];
      else if (event.key === "End") next = tools[tools.length - 1];
      if (!next) return;
      event.preventDefault();
      tools.forEach(function (tool) { tool.tabIndex = tool === next ? 0 : -1; });
      next.focus();
    });

    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      var key = event.key.toLowerCase();
      var format = key === "b" ? "bold" : key === "i" ? "italic" : key === "k" ? "link" : null;
      if (!format) return;
      event.preventDefault();
      applyFormat(textarea, format, toolbar);
    });
  }

  // --- Drafts -------------------------------------------------------------------------------
  // A moment after the member pauses, the composer's fields go to the server; once more when
  // the page is hidden or closed. After a real submission nothing is sent, so a posted reply's
  // draft (deleted by the server) never comes back.

  function setUpDrafts(form) {
    var url = form.getAttribute("data-draft-url");
    if (!url) return;
    var status = form.querySelector("[data-composer-status]");
    var timer = null;
    var dirty = false;
    var saving = false;
    var submitted = false;

    function fields() {
      var data = new FormData(form);
      data.delete("preview");
      data.delete("lookup");
      data.append("autosave", "1");
      return data;
    }

    function say(text) {
      if (status && typeof text === "string") status.textContent = text;
    }

    function save() {
      timer = null;
      if (!dirty || submitted) return;
      if (saving) { schedule(); return; }
      dirty = false;
      saving = true;
      say(status && status.getAttribute("data-saving"));
      fetch(url, {
        method: "POST",
        body: fields(),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          say(answer.label);
          if (!response.ok && response.status !== 401 && response.status !== 403) dirty = true;
        });
      }).catch(function () {
        dirty = true;
        say(status && status.getAttribute("data-failed"));
      }).then(function () { saving = false; });
    }

    function schedule() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, AUTOSAVE_DELAY);
    }

    form.addEventListener("input", function () {
      if (submitted) return;
      dirty = true;
      schedule();
    });

    function saveNow() {
      if (!dirty || submitted || !navigator.sendBeacon) return;
      if (navigator.sendBeacon(url, fields())) dirty = false;
    }
    window.addEventListener("pagehide", saveNow);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") saveNow();
    });

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      // "Save draft" and "Discard draft" go to the draft address themselves.
      if (submitter && submitter.hasAttribute("formaction")) return;
      if (submitter && submitter.name === "preview") return;
      submitted = true;
      if (timer) window.clearTimeout(timer);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) submitted = false; // back to this page from the history cache
    });
  }

  // --- One submission per click ---------------------------------------------------------------
  // The first submit marks the form busy; further clicks do nothing while the page loads. The
  // server would post once anyway (submission key), this just keeps the member's screen calm.

  function setUpSubmitGuard(form) {
    var button = form.querySelector("[data-composer-submit]");
    var label = button && button.textContent;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter !== button) return;
      if (form.getAttribute("data-busy") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-busy", "1");
      if (button) {
        button.setAttribute("aria-disabled", "true");
        button.textContent = button.getAttribute("data-busy") || label;
      }
    });
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-busy");
      if (button) {
        button.removeAttribute("aria-disabled");
        button.textContent = label;
      }
    });
  }

  // --- Typed before the scripts ran ------------------------------------------------------------
  // On a slow connection a member may start typing before this file (and htmx) has run; those
  // keystrokes fired no listener. Once everything is set up, treat what is there as just typed,
  // so it is saved as a draft and previewed like the rest.

  function catchUp(form) {
    var fields = form.querySelectorAll("textarea, input[type=text]");
    var typed = Array.prototype.some.call(fields, function (field) {
      return field.value !== field.defaultValue;
    });
    if (!typed) return;
    window.setTimeout(function () { // after htmx, whose listeners are set up on the same event
      var body = form.querySelector("textarea[name=body]") || fields[0];
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }, 0);
  }

  // --- Article lookup -------------------------------------------------------------------------
  // Enter in the DOI / PubMed field means "Fill in", not "Post topic" (the form's default
  // button, which Enter in the other fields keeps). Without JavaScript, Enter posts as before.

  function setUpLookup(form) {
    var field = form.querySelector("input[name=article_lookup]");
    var button = form.querySelector("button[name=lookup]");
    if (!field || !button) return;
    field.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault();
      button.click();
    });
  }

  function onReady() {
    document.querySelectorAll("form.composer").forEach(function (form) {
      setUpToolbar(form);
      setUpDrafts(form);
      setUpSubmitGuard(form);
      setUpLookup(form);
      catchUp(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
