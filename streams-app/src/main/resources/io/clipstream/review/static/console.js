// Keyboard review: j/k move, v reveal, x select, y/n/e/u decide the current card. No framework: a few listeners.
(function () {
  'use strict';
  function cards() { return Array.prototype.slice.call(document.querySelectorAll('#queue .card')); }
  var current = 0;
  function focus(i) {
    var all = cards();
    if (all.length === 0) { return; }
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (c, j) { c.classList.toggle('current', j === current); });
    all[current].scrollIntoView({ block: 'nearest' });
  }
  function reveal(card) { var t = card.querySelector('.thumb'); if (t) { t.classList.toggle('blurred'); } }
  document.addEventListener('DOMContentLoaded', function () {
    focus(0);
    cards().forEach(function (card, i) {
      card.querySelector('.thumb').addEventListener('click', function () { focus(i); reveal(card); });
    });
    document.querySelectorAll('form.decide').forEach(function (form) {
      form.addEventListener('submit', function () {
        form.querySelectorAll('button').forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
      });
    });
  });
  document.addEventListener('keydown', function (event) {
    var tag = event.target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var card = cards()[current];
    if (!card) { return; }
    if (event.key === 'j') { focus(current + 1); }
    else if (event.key === 'k') { focus(current - 1); }
    else if (event.key === 'v') { reveal(card); }
    else if (event.key === 'x') { var box = card.querySelector('.select input'); if (box) { box.checked = !box.checked; } }
    else {
      var button = card.querySelector('form.decide button[data-key="' + event.key + '"]');
      if (!button) { return; }
      button.click();
    }
    event.preventDefault();
  });
})();
