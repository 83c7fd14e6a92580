/* Small enhancements; every page is complete without them. No inline code, no eval: CSP allows 'self' only. */
(function () {
  "use strict";

  // Copy-link buttons: shown only when the Clipboard API can work; the read-only field works without JS.
  function setUpCopyButtons() {
    document.querySelectorAll(".share").forEach(function (share) {
      var button = share.querySelector(".copy-link");
      var field = share.querySelector(".share-link");
      var status = share.querySelector(".share-status");
      if (!button || !field || !navigator.clipboard || !window.isSecureContext) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(
          function () { status.textContent = share.dataset.copied; },
          function () {
            field.select();
            status.textContent = share.dataset.copyFailed;
          }
        );
      });
    });
  }

  // The page shows each time where it happened; add the visitor's own time when their zone differs.
  function offsetMinutes(iso) {
    var match = /([+-])(\d\d):(\d\d)$/.exec(iso);
    if (!match) {
      return /Z$/.test(iso) ? 0 : null;
    }
    var minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  }

  function addViewerTimes() {
    var label = document.body.dataset.yourTime;
    if (!label || !window.Intl) {
      return;
    }
    var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZoneName: "short"
    });
    document.querySelectorAll("time[data-viewer-time]").forEach(function (time) {
      var iso = time.getAttribute("datetime");
      var moment = new Date(iso);
      var shownOffset = offsetMinutes(iso);
      if (isNaN(moment.getTime()) || shownOffset === null || shownOffset === -moment.getTimezoneOffset()) {
        return;
      }
      var viewer = document.createElement("span");
      viewer.className = "viewer-time";
      viewer.textContent = " (" + label + " " + format.format(moment) + ")";
      time.insertAdjacentElement("afterend", viewer);
    });
  }

  function start() {
    setUpCopyButtons();
    addViewerTimes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
