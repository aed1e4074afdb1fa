// The compose page: checks the draft in place (so chosen photos stay chosen), lists the chosen photos with a Remove
// button each, and keeps "Submit for approval" disabled, with the reason shown, until the draft as it stands now has
// been checked and no photo in it is blocked. The server screens again on submit and refuses a blocked photo anyway.
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form) { return; }
  var photos = document.getElementById("draft-photos");
  var chosen = document.getElementById("chosen-photos");
  var check = document.getElementById("check-draft");
  var submit = document.getElementById("submit-draft");
  var reason = document.getElementById("submit-reason");
  var preview = document.getElementById("draft-preview");
  var sequence = 0;

  function hold(why) {
    submit.disabled = true;
    submit.setAttribute("aria-describedby", "submit-reason");
    reason.textContent = why;
  }

  function release() {
    submit.disabled = false;
    reason.textContent = "Checked. You can submit it for approval.";
  }

  function stale() {
    hold("Check the draft before submitting it: press \u201cCheck before submitting\u201d.");
  }

  function removePhoto(name) {
    var kept = new DataTransfer();
    Array.prototype.forEach.call(photos.files, function (file) {
      if (file.name !== name) { kept.items.add(file); }
    });
    photos.files = kept.files;
    listPhotos();
    stale();
    runCheck();
  }

  function listPhotos() {
    chosen.textContent = "";
    Array.prototype.forEach.call(photos.files, function (file) {
      var li = document.createElement("li");
      li.textContent = file.name + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Remove " + file.name;
      button.addEventListener("click", function () { removePhoto(file.name); });
      li.appendChild(button);
      chosen.appendChild(li);
    });
  }

  function runCheck() {
    var mine = ++sequence;
    hold("Checking\u2026");
    preview.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) { return; }
      preview.innerHTML = html;
      preview.removeAttribute("aria-busy");
      var result = preview.querySelector(".draft-preview");
      preview.querySelectorAll("[data-remove-photo]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () { removePhoto(button.getAttribute("data-remove-photo")); });
      });
      if (!result || result.getAttribute("data-checked") !== "true") {
        hold("Put right what the check found, then check again.");
      } else if (result.getAttribute("data-blocked") === "true") {
        hold("You cannot submit this yet: " + result.getAttribute("data-blocked-reason"));
      } else {
        release();
      }
    }).catch(function () {
      if (mine !== sequence) { return; }
      preview.removeAttribute("aria-busy");
      hold("The check could not be run. Try again.");
    });
  }

  check.addEventListener("click", function (event) {
    event.preventDefault();
    runCheck();
  });
  photos.addEventListener("change", function () { listPhotos(); stale(); });
  form.addEventListener("input", function (event) {
    if (event.target !== photos) { stale(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target !== photos) { stale(); }
  });
  stale();
})();
