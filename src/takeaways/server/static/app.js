// takeaways web page: highlight evidence for key points, quotes and audit claims.
// Plain JS, no build step; loaded as a static file so the CSP can forbid inline scripts.
"use strict";

(function () {
  var pinned = null;

  function parseRanges(value) {
    return (value || "").split(/\s+/).filter(Boolean).map(function (r) {
      var ab = r.split("-");
      return [parseInt(ab[0], 10), parseInt(ab[1], 10)];
    });
  }

  function clear() {
    document.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl"); });
  }

  function mark(target) {
    clear();
    if (!target) { return null; }
    var first = null;
    (target.dataset.sids || "").split(/\s+/).filter(Boolean).forEach(function (sid) {
      var el = document.getElementById("s-" + sid);
      if (el) { el.classList.add("hl"); first = first || el; }
    });
    var ranges = parseRanges(target.dataset.ranges);
    if (ranges.length) {
      document.querySelectorAll("#article .seg").forEach(function (seg) {
        var a = parseInt(seg.dataset.a, 10), b = parseInt(seg.dataset.b, 10);
        for (var i = 0; i < ranges.length; i++) {
          if (a >= ranges[i][0] && b <= ranges[i][1] && b > a) {
            seg.classList.add("hl");
            first = first || seg;
            break;
          }
        }
      });
    }
    return first;
  }

  function reduceMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function pin(target) {
    if (pinned) { pinned.setAttribute("aria-pressed", "false"); }
    pinned = target;
    target.setAttribute("aria-pressed", "true");
    var first = mark(target);
    if (first) {
      first.scrollIntoView({ block: "center", behavior: reduceMotion() ? "auto" : "smooth" });
    }
  }

  function init() {
    document.querySelectorAll(".target").forEach(function (t) {
      t.addEventListener("click", function () { pin(t); });
      t.addEventListener("mouseenter", function () { mark(t); });
      t.addEventListener("focus", function () { mark(t); });
      t.addEventListener("mouseleave", function () { mark(pinned); });
      t.addEventListener("blur", function () { mark(pinned); });
    });
    var form = document.querySelector("form.analyze");
    if (form) {
      form.addEventListener("submit", function () {
        var busy = document.getElementById("busy"), go = document.getElementById("go");
        if (busy) { busy.hidden = false; }
        if (go) { go.disabled = true; go.setAttribute("aria-busy", "true"); }
      });
    }
    document.body.classList.add("js");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
