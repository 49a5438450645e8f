// ILOS web UI: small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // "/" jumps to the search box (unless the user is typing somewhere).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    } else {
      window.location.href = "/search";
    }
  });

  // Table filters: a search box above a table hides rows that do not contain every typed word.
  function wireFilter(container) {
    var table = document.getElementById(container.getAttribute("data-filter-for"));
    var input = container.querySelector("input");
    if (!table || !input) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var status = document.createElement("span");
    status.className = "muted small";
    status.setAttribute("aria-live", "polite");
    container.appendChild(status);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = words.length ? shown + " of " + rows.length + " events shown" : "";
    });
    container.hidden = false;
  }

  document.querySelectorAll("[data-filter-for]").forEach(wireFilter);

  // Moving to an in-page section also moves keyboard focus there.
  document.querySelectorAll('.toc a[href^="#"]').forEach(function (link) {
    link.addEventListener("click", function () {
      var section = document.getElementById(link.getAttribute("href").slice(1));
      if (section) {
        section.setAttribute("tabindex", "-1");
        section.focus({ preventScroll: true });
      }
    });
  });
})();

// One-key judgements on the review queue: m, n or u presses the button carrying that data-key.
(function () {
  "use strict";
  var form = document.querySelector("[data-verdict-keys]");
  if (!form) return;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    if (!/^[a-z]$/i.test(event.key)) return;
    var button = form.querySelector('button[data-key="' + event.key.toLowerCase() + '"]');
    if (!button) return;
    event.preventDefault();
    button.focus();
    button.click();
  });
})();

// Live alerts: server-sent events prepend each new alert to the feed (built with textContent only).
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var feed = document.getElementById("alert-feed");
  if (!status || !feed || !window.EventSource) return;
  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }
  var source = new EventSource(status.getAttribute("data-stream"));
  source.onopen = function () { status.textContent = "Live: connected; new alerts appear at the top."; };
  source.onerror = function () { status.textContent = "Live: reconnecting…"; };
  source.addEventListener("alert", function (event) {
    var a = JSON.parse(event.data);
    var item = document.createElement("li");
    item.className = "alert-item fresh " + a.classification;
    item.setAttribute("data-position", a.position);
    item.appendChild(text("span", a.classification, a.classification === "derogatory" ? "badge warn" : "badge"));
    item.appendChild(document.createTextNode(" "));
    item.appendChild(text("strong", a.kind.replace(/_/g, " ")));
    item.appendChild(document.createTextNode(" · "));
    var link = text("a", a.subject_id, "mono");
    link.href = "/subjects/" + encodeURIComponent(a.subject_id);
    item.appendChild(link);
    item.appendChild(text("div", a.summary));
    if (a.evidence.length) item.appendChild(text("div", "evidence: " + a.evidence.join("; "), "small muted"));
    feed.insertBefore(item, feed.firstChild);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.hidden = true;
  });
})();

// A refused step moves keyboard focus to its explanation (role="alert" also announces it).
(function () {
  "use strict";
  var refusal = document.getElementById("refusal");
  if (refusal) refusal.focus();
})();
