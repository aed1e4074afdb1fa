// Rota and consent pages: plain progressive enhancement. Every form works without this script.
(function () {
  'use strict';

  // A form with data-working shows an indeterminate progress bar while its request runs (uploading and checking a
  // roster, applying it), and cannot be sent twice. The bar does not pretend to know how far along it is.
  document.querySelectorAll('form[data-working]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var working = form.querySelector('.working');
      if (working) {
        working.querySelector('span').textContent = form.getAttribute('data-working');
        working.classList.add('on');
      }
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    });
  });

  // A reconciliation run's page polls its status while it is queued or running, then shows the report.
  var run = document.querySelector('[data-run-status-url]');
  if (run) {
    var url = run.getAttribute('data-run-status-url');
    var bar = run.querySelector('progress');
    var text = run.querySelector('[data-run-progress-text]');
    var poll = function () {
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          if (s.finished) { window.location.reload(); return; }
          if (s.total > 0) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute('value'); }
          text.textContent = s.text;
          setTimeout(poll, 1000);
        })
        .catch(function () { text.textContent = 'Cannot reach the server; trying again…'; setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }
})();
