/* Small enhancements; every page is complete without them. No inline code, no eval: CSP allows 'self' only. */
(function () {
  "use strict";

  // Enter searches, Shift+Enter starts a new line (without this script Enter adds a line and the button searches).
  function setUpEnterToSearch() {
    document.querySelectorAll("form.search textarea").forEach(function (box) {
      box.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
          return;
        }
        event.preventDefault();
        if (box.form.requestSubmit) {
          box.form.requestSubmit();
        } else {
          box.form.submit();
        }
      });
    });
  }

  // Sharing: the system's share sheet where there is one (phones), else a copy-link button; the read-only field
  // with the link works without either.
  function setUpSharing() {
    document.querySelectorAll(".share").forEach(function (share) {
      var field = share.querySelector(".share-link");
      var status = share.querySelector(".share-status");
      var shareButton = share.querySelector(".share-native");
      var copyButton = share.querySelector(".copy-link");
      if (!field) {
        return;
      }
      var data = { title: share.dataset.shareTitle || document.title, url: field.value };
      if (shareButton && navigator.share && (!navigator.canShare || navigator.canShare(data))) {
        shareButton.hidden = false;
        shareButton.addEventListener("click", function () {
          navigator.share(data).catch(function (error) {
            if (error && error.name === "AbortError") {
              return; // the visitor closed the sheet
            }
            field.select();
            status.textContent = share.dataset.copyFailed;
          });
        });
      }
      if (copyButton && navigator.clipboard && window.isSecureContext) {
        copyButton.hidden = false;
        copyButton.addEventListener("click", function () {
          navigator.clipboard.writeText(field.value).then(
            function () { status.textContent = share.dataset.copied; },
            function () {
              field.select();
              status.textContent = share.dataset.copyFailed;
            }
          );
        });
      }
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

  function localDay(moment, offset) {
    // The calendar day of `moment` at a UTC offset in minutes, as a comparable number.
    return Math.floor((moment.getTime() + offset * 60000) / 86400000);
  }

  function addViewerTimes() {
    var label = document.body.dataset.yourTime;
    if (!label || !window.Intl) {
      return;
    }
    var lang = document.body.dataset.dateLocale || document.documentElement.lang || undefined;
    var full = new Intl.DateTimeFormat(lang, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZoneName: "short"
    });
    var clock = new Intl.DateTimeFormat(lang, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
    });
    var clockOnOtherDay = new Intl.DateTimeFormat(lang, {
      weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
    });
    document.querySelectorAll("time[data-viewer-time]").forEach(function (time) {
      var iso = time.getAttribute("datetime");
      var moment = new Date(iso);
      var shownOffset = offsetMinutes(iso);
      var viewerOffset = -moment.getTimezoneOffset();
      if (isNaN(moment.getTime()) || shownOffset === null || shownOffset === viewerOffset) {
        return;
      }
      var format = full;
      if (time.dataset.viewerTime === "clock") {
        // A timeline row already sits under its day: name the visitor's day only when it is another one.
        format = localDay(moment, shownOffset) === localDay(moment, viewerOffset) ? clock : clockOnOtherDay;
      }
      var viewer = document.createElement("span");
      viewer.className = "viewer-time";
      viewer.textContent = " (" + label + " " + format.format(moment) + ")";
      time.insertAdjacentElement("afterend", viewer);
    });
  }

  function start() {
    setUpEnterToSearch();
    setUpSharing();
    addViewerTimes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
