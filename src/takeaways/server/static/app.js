// takeaways web page: highlight evidence for key points, quotes and audit claims.
// Plain JS, no build step; loaded as a static file so the CSP can forbid inline scripts.
//
// A click pins an item: its evidence is highlighted in the article, and the article
// panel (only it, never the window) scrolls to the evidence. While an item is pinned,
// pointing at another one does not replace the highlight: a scroll moves the page under
// a resting pointer, and the item it then rests on is not the one the reader chose.
// A key point also shows its evidence sentence under it, so on a phone (one column, the
// article far below) the evidence is next to the point and nothing scrolls.
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

  // The article panel scrolls on its own (two columns) or is part of the page (one).
  function panel() {
    var art = document.getElementById("article");
    if (!art) { return null; }
    var style = window.getComputedStyle(art);
    var scrolls = /(auto|scroll)/.test(style.overflowY) && art.scrollHeight > art.clientHeight;
    return scrolls ? art : null;
  }

  // Centre ``el`` in the visible part of the article panel, scrolling only the panel.
  function reveal(el) {
    var art = panel();
    if (!el || !art) { return; }
    var box = art.getBoundingClientRect(), r = el.getBoundingClientRect();
    var top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
    var delta = (r.top + r.height / 2) - (top + bottom) / 2;
    art.scrollBy({ top: delta, behavior: reduceMotion() ? "auto" : "smooth" });
  }

  function expand(target, open) {
    var id = target.getAttribute("aria-controls"), box = id && document.getElementById(id);
    if (!box) { return; }
    box.hidden = !open;
    target.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function unpin() {
    if (!pinned) { return; }
    pinned.setAttribute("aria-pressed", "false");
    expand(pinned, false);
    pinned = null;
  }

  function pin(target) {
    if (pinned === target) { unpin(); mark(null); return; }
    unpin();
    pinned = target;
    target.setAttribute("aria-pressed", "true");
    expand(target, true);
    reveal(mark(target));
  }

  function preview(t) { if (!pinned) { mark(t); } }

  function copyMarkdown(button) {
    var text = (document.getElementById("markdown") || {}).value || "";
    var status = document.getElementById("copy-status");
    function done(ok) { if (status) { status.textContent = ok ? "Copied." : "Copy failed: select the text yourself."; } }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      done(false);
    }
    button.blur();
  }

  function init() {
    document.querySelectorAll(".target").forEach(function (t) {
      t.addEventListener("click", function () { pin(t); });
      t.addEventListener("mouseenter", function () { preview(t); });
      t.addEventListener("focus", function () { preview(t); });
      t.addEventListener("mouseleave", function () { mark(pinned); });
      t.addEventListener("blur", function () { mark(pinned); });
    });
    var copy = document.getElementById("copy-md");
    if (copy) { copy.addEventListener("click", function () { copyMarkdown(copy); }); }
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
