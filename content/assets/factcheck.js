// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Home: the verdict and topic filters work in place (without JavaScript they are links
  // to the page of each verdict and topic).
  function setUpFilters() {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".claim-list .claim-card"));
    var filters = Array.prototype.slice.call(document.querySelectorAll("a.filter[data-filter]"));
    if (!cards.length || !filters.length) return;
    var status = document.createElement("p");
    status.className = "filters__status";
    status.setAttribute("role", "status");
    var nav = document.querySelector(".filters");
    nav.appendChild(status);
    var active = null;

    function apply() {
      var shown = 0;
      cards.forEach(function (card) {
        var match = !active ||
          (active.kind === "verdict" && card.dataset.verdict === active.value) ||
          (active.kind === "topic" && (" " + card.dataset.topics + " ").indexOf(" " + active.value + " ") !== -1);
        card.hidden = !match;
        if (match) shown += 1;
      });
      filters.forEach(function (link) {
        var on = !!active && link.dataset.filter === active.kind && link.dataset.value === active.value;
        link.setAttribute("aria-pressed", on ? "true" : "false");
      });
      status.textContent = active ? shown + " vérification(s) affichée(s) · cliquez à nouveau pour tout afficher" : "";
    }

    filters.forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("aria-pressed", "false");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var same = active && active.kind === link.dataset.filter && active.value === link.dataset.value;
        active = same ? null : { kind: link.dataset.filter, value: link.dataset.value };
        apply();
      });
    });
  }

  // Source pages: a reader arriving on a passage sees all of it marked (a passage cut by an
  // overlapping one spans several <mark> elements; :target only reaches the first).
  function showTarget() {
    document.querySelectorAll("mark.is-target").forEach(function (mark) { mark.classList.remove("is-target"); });
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var pieces = document.querySelectorAll('mark[data-citation="' + id.replace(/["\\]/g, "") + '"]');
    pieces.forEach(function (mark) { mark.classList.add("is-target"); });
    if (pieces.length) pieces[0].scrollIntoView({ block: "center" });
  }

  // Material's search panel is a dialog without a name (axe: aria-dialog-name); it only
  // exists for readers with JavaScript (Material hides it otherwise), so naming it here is enough.
  function nameSearchDialog() {
    var dialog = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
    if (dialog) dialog.setAttribute("aria-label", "Rechercher sur le site");
  }

  function start() {
    nameSearchDialog();
    setUpFilters();
    showTarget();
    window.addEventListener("hashchange", showTarget);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
