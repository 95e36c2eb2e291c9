// Typeset the math that pymdownx.arithmatex (generic mode) leaves in the page, with the KaTeX
// vendored next to this file. Inline math arrives as <span class="arithmatex">\(...\)</span>,
// display math as <div class="arithmatex">\[...\]</div>. A formula KaTeX cannot parse is shown
// as a .katex-error element and reported with console.error, so the browser test catches it.
(function () {
  "use strict";

  function strip(tex) {
    var t = tex.trim();
    if (t.slice(0, 2) === "\\(" && t.slice(-2) === "\\)") return [t.slice(2, -2), false];
    if (t.slice(0, 2) === "\\[" && t.slice(-2) === "\\]") return [t.slice(2, -2), true];
    return [t, null];
  }

  function typeset(root) {
    var elements = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (el.getAttribute("data-katex") === "done") continue;
      var parts = strip(el.textContent);
      var display = parts[1] === null ? el.tagName === "DIV" : parts[1];
      try {
        katex.render(parts[0], el, { displayMode: display, throwOnError: true, output: "htmlAndMathml" });
      } catch (err) {
        console.error("KaTeX could not typeset " + JSON.stringify(parts[0]) + ": " + err.message);
        var span = document.createElement("span");
        span.className = "katex-error";
        span.title = err.message;
        span.textContent = parts[0];
        el.textContent = "";
        el.appendChild(span);
      }
      el.setAttribute("data-katex", "done");
    }
  }

  if (typeof document$ !== "undefined") {
    // mkdocs-material: runs on the first load and after every instant navigation
    document$.subscribe(function () { typeset(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document); });
  } else {
    typeset(document);
  }
})();
