/* Answer out loud: record with MediaRecorder, upload, wait for the transcript, put it in the answer box.
   No third-party script and no CDN; the transcript is the candidate's to correct before it is scored. */
(function () {
  "use strict";

  function clock(secs) {
    var m = Math.floor(secs / 60), s = Math.floor(secs % 60);
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function setup(box) {
    var form = box.closest("form");
    var textarea = form.querySelector("textarea[name=text]");
    var start = box.querySelector("[data-rec-start]");
    var stop = box.querySelector("[data-rec-stop]");
    var again = box.querySelector("[data-rec-again]");
    var level = box.querySelector("[data-rec-level]");
    var timer = box.querySelector("[data-rec-clock]");
    var status = box.querySelector("[data-rec-status]");
    var idField = box.querySelector("[data-rec-id]");
    var playback = box.querySelector("[data-rec-playback]");
    var timeBox = parseInt(box.getAttribute("data-time-box") || "0", 10);
    var maxSeconds = parseInt(box.getAttribute("data-max-seconds") || "600", 10);
    var recorder = null, stream = null, chunks = [], startedAt = 0, ticking = null, audioContext = null, meterFrame = null;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("recorder-error", !!isError);
    }

    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      box.hidden = false;
      start.disabled = true;
      say("This browser cannot record audio here. Type your answer instead, or open the page in a current Chrome, Edge, Firefox or Safari.", true);
      return;
    }
    box.hidden = false;

    function showLevel() {
      try {
        audioContext = new (window.AudioContext || window.webkitAudioContext)();
        var analyser = audioContext.createAnalyser();
        analyser.fftSize = 512;
        audioContext.createMediaStreamSource(stream).connect(analyser);
        var samples = new Uint8Array(analyser.fftSize);
        level.hidden = false;
        (function draw() {
          analyser.getByteTimeDomainData(samples);
          var sum = 0;
          for (var i = 0; i < samples.length; i++) { var v = (samples[i] - 128) / 128; sum += v * v; }
          level.value = Math.min(1, Math.sqrt(sum / samples.length) * 3);
          meterFrame = window.requestAnimationFrame(draw);
        })();
      } catch (e) { level.hidden = true; }  // the meter is a help, not a requirement
    }

    function tick() {
      var secs = (Date.now() - startedAt) / 1000;
      timer.textContent = clock(secs);
      box.classList.toggle("recorder-over", timeBox > 0 && secs > timeBox);
      if (secs >= maxSeconds) {
        say("That is the longest recording this site takes; it stopped on its own.");
        finish();
      }
    }

    function release() {
      if (ticking) { window.clearInterval(ticking); ticking = null; }
      if (meterFrame) { window.cancelAnimationFrame(meterFrame); meterFrame = null; }
      if (audioContext) { audioContext.close(); audioContext = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
      level.hidden = true;
    }

    function finish() {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    }

    function poll(url, tries) {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          if (data.status === "transcribed") {
            textarea.value = data.transcript || "";
            textarea.dispatchEvent(new Event("input", { bubbles: true }));
            idField.value = data.id;
            say("Transcript ready. Read it through and correct anything misheard, then submit it for scoring.");
            again.hidden = false;
            textarea.focus();
          } else if (data.status === "failed") {
            say((data.error || "The recording could not be transcribed.") + " Record again, or type your answer.", true);
            again.hidden = false;
          } else if (tries < 200) {
            window.setTimeout(function () { poll(url, tries + 1); }, 1500);
          } else {
            say("Transcription is taking longer than it should. Keep this page open, or type your answer.", true);
          }
        })
        .catch(function () {
          if (tries < 200) { window.setTimeout(function () { poll(url, tries + 1); }, 4000); }
        });
    }

    function upload(blob) {
      var body = new FormData();
      var type = (blob.type || "audio/webm").split(";")[0];
      body.append("audio", blob, "answer." + (type.split("/")[1] || "webm"));
      if (timeBox) { body.append("time_box", String(timeBox)); }
      say("Uploading your recording…");
      fetch(box.getAttribute("data-upload-url"), {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" }
      })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (!res.ok) {
            say((res.data.error || res.data.detail || "The recording was not accepted.") + " Record again, or type your answer.", true);
            again.hidden = false;
            return;
          }
          say("Saved. Transcribing… this takes a few seconds per minute of audio.");
          poll(res.data.status_url, 0);
        })
        .catch(function () {
          say("The recording could not be uploaded (is the connection down?). Record again, or type your answer.", true);
          again.hidden = false;
        });
    }

    function begin() {
      say("Asking for the microphone…");
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s;
        chunks = [];
        var options = {};
        if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported("audio/webm;codecs=opus")) { options.mimeType = "audio/webm;codecs=opus"; }
        recorder = new MediaRecorder(stream, options);
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
        recorder.onstop = function () {
          release();
          stop.hidden = true;
          start.hidden = true;
          var blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
          playback.src = URL.createObjectURL(blob);
          playback.hidden = false;
          upload(blob);
        };
        recorder.start(1000);
        startedAt = Date.now();
        ticking = window.setInterval(tick, 250);
        showLevel();
        start.hidden = true;
        again.hidden = true;
        stop.hidden = false;
        stop.focus();
        say("Recording. Speak as you would to the interviewer; press Stop when you are done.");
      }).catch(function (err) {
        var name = err && err.name;
        if (name === "NotAllowedError" || name === "SecurityError") {
          say("Microphone permission was refused. Allow the microphone for this site in the browser's settings, or type your answer.", true);
        } else if (name === "NotFoundError" || name === "OverconstrainedError") {
          say("No microphone was found. Connect one and try again, or type your answer.", true);
        } else {
          say("The microphone could not be started. Type your answer, or try again.", true);
        }
      });
    }

    start.addEventListener("click", begin);
    stop.addEventListener("click", finish);
    again.addEventListener("click", function () {
      idField.value = "";
      playback.hidden = true;
      timer.textContent = "0:00";
      begin();
    });
    // An answer typed over a transcript from scratch is a typed answer: forget the recording.
    textarea.addEventListener("input", function () { if (!textarea.value.trim()) { idField.value = ""; } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-recorder]");
    for (var i = 0; i < boxes.length; i++) { setup(boxes[i]); }
  });
})();
