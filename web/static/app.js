// tpmprep progressive enhancements: answer drafts, word count, timer, live score updates.
// Everything works without this file; it only adds comfort.
(function () {
  "use strict";

  function wordCount(text) {
    var m = text.match(/[A-Za-z0-9][\w'’-]*/g);
    return m ? m.length : 0;
  }

  function setupAnswerForm(form) {
    var key = form.getAttribute("data-draft-key");
    var area = form.querySelector("textarea");
    var counter = form.querySelector("[data-word-count]");
    var started = form.querySelector("[data-started-at]");
    var toggle = form.querySelector("[data-timer-toggle]");
    var timer = form.querySelector("[data-timer]");
    var storage = null;
    try { storage = window.localStorage; } catch (e) { storage = null; }

    // Restore a draft unless the server sent text back (a failed submit).
    if (storage && key && !area.value) {
      var saved = storage.getItem(key);
      if (saved) { area.value = saved; }
    }
    var startKey = key + ":started";
    if (!started.value) {
      var savedStart = storage && storage.getItem(startKey);
      started.value = savedStart || new Date().toISOString();
    }
    if (storage) { storage.setItem(startKey, started.value); }

    var chars = form.querySelector("[data-char-count]");
    var limit = parseInt(area.getAttribute("data-max-chars") || "0", 10);

    // Nothing is ever cut: past the limit the count says by how much, and the server refuses the
    // submit with the whole text kept in the box.
    function showChars() {
      if (!chars || !limit) { return; }
      var used = area.value.length;
      var over = used - limit;
      chars.classList.toggle("near-limit", used >= limit * 0.9 && over <= 0);
      chars.classList.toggle("over-limit", over > 0);
      if (over > 0) {
        chars.textContent = over.toLocaleString() + " characters over the " + limit.toLocaleString() + " limit: shorten it before submitting";
      } else if (used >= limit * 0.9) {
        chars.textContent = used.toLocaleString() + " of " + limit.toLocaleString() + " characters: close to the limit";
      } else {
        chars.textContent = used.toLocaleString() + " of " + limit.toLocaleString() + " characters";
      }
    }

    function update() {
      var n = wordCount(area.value);
      counter.textContent = n + (n === 1 ? " word" : " words");
      showChars();
      if (storage && key) {
        if (area.value) { storage.setItem(key, area.value); } else { storage.removeItem(key); }
      }
    }
    area.addEventListener("input", update);
    update();

    // The draft is cleared only when the server has accepted the answer (the next page says so).
    form.addEventListener("submit", function () {
      if (storage) { storage.setItem("submitted-draft", key); }
    });

    var interval = null;
    function tick() {
      var secs = Math.max(0, Math.floor((Date.now() - Date.parse(started.value)) / 1000));
      var m = Math.floor(secs / 60), s = secs % 60;
      timer.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    }
    if (toggle && timer) {
      toggle.addEventListener("change", function () {
        timer.hidden = !toggle.checked;
        if (toggle.checked) { tick(); interval = window.setInterval(tick, 1000); }
        else if (interval) { window.clearInterval(interval); interval = null; }
      });
    }
  }

  function clearSubmittedDraft() {
    // We are on an answer page: the answer was stored, so its draft can go.
    var storage;
    try { storage = window.localStorage; } catch (e) { return; }
    var key = storage.getItem("submitted-draft");
    if (key) {
      storage.removeItem(key);
      storage.removeItem(key + ":started");
      storage.removeItem("submitted-draft");
    }
  }

  function pollAnswer(el) {
    // The page gives the API address (built from the route name, so it holds under any root path).
    var url = el.getAttribute("data-poll-url");
    var tries = 0;
    if (!url) { return; }
    function check() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var busy = data.jobs.some(function (j) { return j.status === "pending" || j.status === "running"; });
          if (!busy) { window.location.reload(); }
          else if (tries < 120) { window.setTimeout(check, Math.min(2000 + tries * 500, 10000)); }
        })
        .catch(function () { if (tries < 120) { window.setTimeout(check, 5000); } });
    }
    window.setTimeout(check, 1500);
  }

  function formatClock(secs) {
    var m = Math.floor(secs / 60), s = secs % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function setupCountdown(el) {
    // Counts down from the server's figure; the server keeps the real deadline.
    var endsAt = Date.now() + parseInt(el.getAttribute("data-countdown"), 10) * 1000;
    var formId = el.getAttribute("data-countdown-submit");
    var submitted = false;
    function tick() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      el.textContent = formatClock(left);
      if (left <= 60) { el.classList.add("clock-low"); }
      if (left === 0 && formId && !submitted) {
        submitted = true;
        var form = document.getElementById(formId);
        var flag = form.querySelector("[data-timed-out]");
        if (flag) { flag.value = "1"; }
        form.submit();  // time is up: the answer goes in as it stands
        return;
      }
      if (left > 0) { window.setTimeout(tick, 250); }
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clocks = document.querySelectorAll("[data-countdown]");
    for (var c = 0; c < clocks.length; c++) { setupCountdown(clocks[c]); }
    var printers = document.querySelectorAll("[data-print]");
    for (var p = 0; p < printers.length; p++) {
      printers[p].addEventListener("click", function (e) { e.preventDefault(); window.print(); });
    }
    var forms = document.querySelectorAll("form[data-draft-key]");
    for (var i = 0; i < forms.length; i++) { setupAnswerForm(forms[i]); }
    // Reviews shown on this page count as read: tell the server once, as the page's button would.
    var seen = document.querySelector("form[data-mark-seen]");
    if (seen && window.fetch) {
      var token = document.querySelector('meta[name="csrf-token"]');
      fetch(seen.action, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": token ? token.content : "" } })
        .then(function (r) { if (r.ok) { seen.hidden = true; } });
    }
    var poll = document.querySelector("[data-poll-answer]");
    if (poll) {
      clearSubmittedDraft();
      if (poll.getAttribute("data-pending")) { pollAnswer(poll); }
    }
  });
})();
