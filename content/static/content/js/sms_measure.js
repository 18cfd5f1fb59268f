// Live length, segment count and preview of the SMS template being edited.
// The counting rule lives on the server (content.services.sms.measure); this
// script only posts the form's current values and shows the answer.
(function () {
  'use strict';

  function setup(panel) {
    var form = panel.closest('form');
    if (!form || panel.dataset.smsMeasureReady) return;
    panel.dataset.smsMeasureReady = '1';
    var url = panel.dataset.measureUrl;
    var names = ['text', 'parameters', 'category', 'organisation', 'code', 'commands'];
    var timer = null;
    var sequence = 0;

    function field(name) { return form.elements.namedItem(name); }

    function show(data) {
      var q = function (sel) { return panel.querySelector(sel); };
      q('[data-sms-length]').textContent = data.length;
      q('[data-sms-preview-segments]').textContent = data.preview_segments;
      q('[data-sms-encoding]').textContent = data.preview_encoding;
      q('[data-sms-worst-segments]').textContent = data.worst_segments;
      q('[data-sms-max-segments]').textContent = data.max_segments;
      q('[data-sms-account]').textContent = data.account || '默认规则';
      q('[data-sms-preview]').textContent = data.preview;
      var problems = q('[data-sms-problems]');
      problems.innerHTML = '';
      (data.problems || []).forEach(function (text) {
        var li = document.createElement('li');
        li.textContent = text;
        problems.appendChild(li);
      });
      panel.classList.toggle('sms-measure--over', data.worst_segments > data.max_segments);
    }

    function measure() {
      var body = new FormData();
      names.forEach(function (name) {
        var input = field(name);
        if (input && input.value !== undefined) body.append(name, input.value);
      });
      // Commands are bound per brand: the clash check needs the brands ticked now.
      form.querySelectorAll('input[name="brands"]:checked').forEach(function (box) { body.append('brands', box.value); });
      var match = window.location.pathname.match(/\/edit\/(\d+)\//);
      if (match) body.append('pk', match[1]);
      var token = form.elements.namedItem('csrfmiddlewaretoken');
      var mine = ++sequence;
      fetch(url, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': token ? token.value : '', 'X-Requested-With': 'XMLHttpRequest' },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && mine === sequence) show(data); })
        .catch(function () { /* keep the last figures when offline */ });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(measure, 250);
    }

    names.forEach(function (name) {
      var input = field(name);
      if (!input) return;
      input.addEventListener('input', schedule);
      input.addEventListener('change', schedule);
    });
    measure();
  }

  function init() {
    document.querySelectorAll('[data-sms-measure]').forEach(setup);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
