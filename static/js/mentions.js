// Mention suggestions: in a textarea with data-mentions-url, typing "@" and the start of a name
// lists members whose names start with it (from the server, a moment after typing stops).
// Up and Down arrows choose, Enter or Tab writes the chosen "@name ", Escape closes the list,
// a click picks. While no suggestion is chosen, every key does what it always does: Enter makes
// a new line, Tab leaves the field. Without this file, members simply type the name.
(function () {
  "use strict";

  var DELAY = 200; // ms after the last key before asking the server
  var made = 0;
  // "@" and at least one name character just before the caret, not inside a word or address.
  // Name characters as in stepdown/core/text.py: letters, digits, "_" and ". + -".
  var FRAGMENT = /(?:^|[^\p{L}\p{N}\p{M}_.+@\/-])@([\p{L}\p{N}_][\p{L}\p{N}\p{M}_.+-]{0,149})$/u;

  function setUp(textarea) {
    if (textarea.hasAttribute("data-mentions-ready")) return;
    textarea.setAttribute("data-mentions-ready", "");
    made += 1;
    var url = textarea.getAttribute("data-mentions-url");
    var listId = "mention-list-" + made;

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-listbox";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", status);
    textarea.insertAdjacentElement("afterend", list);

    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    textarea.setAttribute("aria-expanded", "false");

    var timer = null;
    var controller = null;
    var asked = 0; // numbers each request, so only the latest answer is shown
    var names = [];
    var active = -1;
    var fragment = null; // {start, end, prefix}: the "@name" being typed
    var dismissed = null; // the fragment Escape closed the list for

    function currentFragment() {
      var caret = textarea.selectionStart;
      if (typeof caret !== "number" || caret !== textarea.selectionEnd) return null;
      var match = FRAGMENT.exec(textarea.value.slice(0, caret));
      if (!match) return null;
      return { start: caret - match[1].length - 1, end: caret, prefix: match[1] };
    }

    function sameFragment(a, b) {
      return a && b && a.start === b.start && a.prefix === b.prefix;
    }

    function isOpen() {
      return !list.hidden;
    }

    function close() {
      if (controller) controller.abort();
      controller = null;
      window.clearTimeout(timer);
      list.hidden = true;
      list.textContent = "";
      names = [];
      active = -1;
      textarea.setAttribute("aria-expanded", "false");
      textarea.removeAttribute("aria-activedescendant");
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, at) {
        option.setAttribute("aria-selected", at === index ? "true" : "false");
      });
      if (index >= 0 && options[index]) {
        textarea.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function show(found, label, message) {
      list.textContent = "";
      names = found;
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
      if (label) list.setAttribute("aria-label", label);
      found.forEach(function (name, at) {
        var option = document.createElement("li");
        option.id = listId + "-option-" + at;
        option.className = "mention-listbox__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = "@" + name;
        // Keep focus (and the caret) in the textarea when the pointer picks.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(at); });
        list.appendChild(option);
      });
      status.textContent = message || "";
      list.hidden = found.length === 0;
      textarea.setAttribute("aria-expanded", found.length ? "true" : "false");
    }

    function ask(wanted) {
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      asked += 1;
      var number = asked;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(wanted.prefix);
      fetch(address, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          // A sign-in page (the session ended) or an error: no list, the text is untouched.
          if (!response.ok || response.redirected) throw new Error("no suggestions");
          return response.text();
        })
        .then(function (html) {
          if (number !== asked || !sameFragment(currentFragment(), wanted)) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var root = doc.querySelector("[data-mention-suggestions]");
          if (!root) throw new Error("no suggestions");
          var found = Array.prototype.map.call(
            root.querySelectorAll("[data-username]"),
            function (item) { return item.getAttribute("data-username"); }
          );
          fragment = wanted;
          show(found, root.getAttribute("data-label"), root.getAttribute("data-status"));
        })
        .catch(function () {
          if (number === asked) close();
        });
    }

    function pick(index) {
      var name = names[index];
      // What is typed now, which may be longer than what the list was found for.
      var where = currentFragment();
      if (!name || !where) return;
      close();
      var text = "@" + name + " ";
      textarea.focus();
      textarea.setRangeText(text, where.start, where.end, "end");
      fragment = null;
      dismissed = null;
      // Other scripts (draft saving, preview) hear about the change as if typed.
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function update() {
      var now = currentFragment();
      if (!now) {
        fragment = null;
        close();
        return;
      }
      if (sameFragment(now, dismissed)) return;
      if (sameFragment(now, fragment) && isOpen()) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { ask(now); }, DELAY);
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("click", update);
    textarea.addEventListener("keyup", function (event) {
      // The caret moved without typing.
      if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(event.key) !== -1) update();
    });
    textarea.addEventListener("blur", function () { close(); });

    textarea.addEventListener("keydown", function (event) {
      if (!isOpen() || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      var count = names.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive(active <= 0 ? count - 1 : active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        dismissed = fragment;
        close();
      }
    });
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("textarea[data-mentions-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(); });
  } else {
    setUpAll();
  }
  // A textarea given data-mentions-url after the page loaded is set up when it takes focus.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("textarea[data-mentions-url]")) setUp(target);
  });
  // Composers htmx swaps in later get suggestions too.
  document.addEventListener("htmx:load", function (event) {
    var target = event.target;
    if (target && target.querySelectorAll) {
      if (target.matches && target.matches("textarea[data-mentions-url]")) setUp(target);
      setUpAll(target);
    }
  });
})();
