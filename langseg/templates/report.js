"use strict";
(function () {
  var lang = document.getElementById("lang-filter");
  var kind = document.getElementById("kind-filter");
  var count = document.getElementById("shown-count");
  var docs = Array.prototype.slice.call(document.querySelectorAll("article.doc"));
  function apply() {
    var shown = 0;
    docs.forEach(function (doc) {
      var langs = doc.getAttribute("data-langs").split(" ");
      var mixed = doc.getAttribute("data-mixed") === "true";
      var keep = (!lang.value || langs.indexOf(lang.value) >= 0) &&
                 (!kind.value || (kind.value === "mixed") === mixed);
      doc.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + docs.length + " shown";
    var state = [];
    if (lang.value) { state.push("lang=" + encodeURIComponent(lang.value)); }
    if (kind.value) { state.push("kind=" + encodeURIComponent(kind.value)); }
    try { history.replaceState(null, "", state.length ? "#" + state.join("&") : location.pathname); } catch (e) { /* a page opened from disk may refuse; the filters still apply */ }
  }
  function fromHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var value = decodeURIComponent(parts[1] || "");
      if (parts[0] === "lang" && lang.querySelector("option[value='" + CSS.escape(value) + "']")) { lang.value = value; }
      if (parts[0] === "kind" && (value === "mixed" || value === "mono")) { kind.value = value; }
    });
  }
  lang.addEventListener("change", apply);
  kind.addEventListener("change", apply);
  fromHash();
  apply();
})();
