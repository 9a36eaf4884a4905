// Billing console: live figures and copy buttons. Every page works without this script; it only adds to them.
// A region with data-live-src is fetched again every 2 seconds and replaced when its content changed; a session
// that ended (401) reloads the page, which then goes to the sign-in form.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement('div');
      announcer.setAttribute('role', 'status');
      announcer.className = 'visually-hidden';
      document.body.appendChild(announcer);
    }
    announcer.textContent = text;
  }

  function utcNow() {
    return new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
  }

  function announcement(region) {
    var node = region.querySelector('[data-announce]');
    return node ? node.getAttribute('data-announce') : '';
  }

  function selectionInside(region) {
    var selection = window.getSelection();
    return selection && !selection.isCollapsed && region.contains(selection.anchorNode);
  }

  function swap(region, html) {
    var next = document.createElement('template');
    next.innerHTML = html;
    if (next.innerHTML === region.innerHTML || selectionInside(region)) return;
    var focused = document.activeElement;
    var focusedId = focused && region.contains(focused) ? focused.id : null;
    var before = announcement(region);
    region.replaceChildren(next.content);
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) again.focus();
    }
    var after = announcement(region);
    if (after && after !== before) announce(after);
  }

  function live(region) {
    var src = region.getAttribute('data-live-src');
    var every = Number(region.getAttribute('data-live-every')) || 2000;
    var stamp = document.querySelector('[data-live-stamp="' + region.id + '"]');
    var busy = false;
    function tick() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(src, { headers: { 'X-Requested-With': 'fetch', 'Accept': 'text/html' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) {
          if (response.status === 401) {
            location.reload();
            return null;
          }
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          swap(region, html);
          if (stamp) stamp.textContent = 'Figures as of ' + utcNow() + '.';
        })
        .catch(function (error) {
          if (stamp) stamp.textContent = 'Live update failed at ' + utcNow() + ' (' + error.message + '); trying again.';
        })
        .finally(function () { busy = false; });
    }
    setInterval(tick, every);
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    var text = source.tagName === 'INPUT' ? source.value : source.textContent;
    var label = button.textContent;
    function done(message) {
      button.textContent = message;
      announce(message);
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    function select() {
      if (source.tagName === 'INPUT') {
        source.select();
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      done('Selected: press Ctrl+C to copy');
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done('Copied'); }, select);
    } else {
      select();
    }
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-copy]') : null;
    if (button) copy(button);
  });

  document.querySelectorAll('[data-live-src]').forEach(live);
})();
