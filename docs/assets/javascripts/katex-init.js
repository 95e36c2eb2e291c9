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

  // Search previews: mkdocs-material fills them from the search index, which holds the page
  // text with the math still as \(...\) and \[...\] (highlight <mark>s may sit inside).
  // Typeset each preview once it is added.
  var MATH = /\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\]/g;

  function plain(html) {
    var box = document.createElement("div");
    box.innerHTML = html;  // drops <mark> and decodes &amp; &lt; ...
    return box.textContent;
  }

  function typesetPreview(article) {
    if (article.getAttribute("data-katex") === "done") return;
    article.setAttribute("data-katex", "done");
    if (article.innerHTML.indexOf("\\(") < 0 && article.innerHTML.indexOf("\\[") < 0) return;
    article.innerHTML = article.innerHTML.replace(MATH, function (match, inline, display) {
      var tex = plain(inline !== undefined ? inline : display);
      try {
        return katex.renderToString(tex, { displayMode: display !== undefined, throwOnError: true });
      } catch (err) {
        return match;
      }
    });
  }

  function watchSearch() {
    var list = document.querySelector(".md-search-result__list");
    if (!list || list.getAttribute("data-katex-watch")) return;
    list.setAttribute("data-katex-watch", "1");
    var run = function () {
      var articles = list.querySelectorAll(".md-search-result__article");
      for (var i = 0; i < articles.length; i++) typesetPreview(articles[i]);
    };
    new MutationObserver(run).observe(list, { childList: true, subtree: true });
    run();
  }

  if (typeof document$ !== "undefined") {
    // mkdocs-material: runs on the first load and after every instant navigation
    document$.subscribe(function () { typeset(document); watchSearch(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document); watchSearch(); });
  } else {
    typeset(document);
    watchSearch();
  }
})();
