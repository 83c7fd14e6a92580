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

  // The page shows each time where it happened; add the visitor's own time, once, where their zone differs.
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
    var lang = document.body.dataset.dateLocale || document.documentElement.lang || undefined;
    var full = new Intl.DateTimeFormat(lang, {
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
      viewer.textContent = " " + label.replace("{time}", full.format(moment));
      time.insertAdjacentElement("afterend", viewer);
    });
  }

  // "Today" on a page is the parcel's day; where the visitor's own day is another, the page says so.
  function showParcelDayNotes() {
    var now = new Date();
    var pad = function (number) { return (number < 10 ? "0" : "") + number; };
    var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
    document.querySelectorAll(".day-note[data-parcel-days]").forEach(function (note) {
      note.hidden = note.dataset.parcelDays.split(" ").every(function (day) { return day === today; });
    });
  }

  function start() {
    setUpEnterToSearch();
    setUpSharing();
    addViewerTimes();
    showParcelDayNotes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* ---- Following: Web Push (begin) -------------------------------------------------------------------------
   The "Notify me on this device" button of templates/following/_follow.html: shown only where this browser
   can subscribe; the subscription (endpoint and keys) goes to the parcel's follow/push address. The same
   browser subscription serves every parcel it follows, so stopping one parcel only tells the server. */
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function canSubscribe() {
    return window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window &&
      "Notification" in window;
  }

  function remembered(key, value) {
    try {
      if (value === undefined) {
        return window.localStorage.getItem(key) === "1";
      }
      if (value) {
        window.localStorage.setItem(key, "1");
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (error) {
      return false;
    }
    return value;
  }

  function postJson(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response;
    });
  }

  function subscription(box) {
    return navigator.serviceWorker.register(box.dataset.workerUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.dataset.pushKey)
        });
      });
    });
  }

  function setUpPush(box) {
    if (!canSubscribe() || !box.dataset.pushKey || Notification.permission === "denied") {
      return;
    }
    var on = box.querySelector(".push-on");
    var off = box.querySelector(".push-off");
    var status = box.querySelector(".push-status");
    var memory = "following:" + box.dataset.followUrl;

    function show(following) {
      on.hidden = following;
      off.hidden = !following;
    }

    box.hidden = false;
    show(remembered(memory));
    on.addEventListener("click", function () {
      on.disabled = true;
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          throw new Error(permission === "denied" ? "blocked" : "dismissed");
        }
        return subscription(box);
      }).then(function (subscribed) {
        return postJson(box.dataset.followUrl, subscribed.toJSON());
      }).then(function () {
        remembered(memory, true);
        show(true);
        status.textContent = box.dataset.on;
      }).catch(function (error) {
        status.textContent = error && error.message === "blocked" ? box.dataset.blocked : box.dataset.failed;
      }).then(function () {
        on.disabled = false;
      });
    });
    off.addEventListener("click", function () {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.getSubscription();
      }).then(function (subscribed) {
        return subscribed ? postJson(box.dataset.unfollowUrl, { endpoint: subscribed.endpoint }) : null;
      }).then(function () {
        remembered(memory, false);
        show(false);
        status.textContent = box.dataset.off;
      }).catch(function () {
        status.textContent = box.dataset.failed;
      });
    });
  }

  function start() {
    document.querySelectorAll(".follow-push").forEach(setUpPush);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
/* ---- Following: Web Push (end) ---------------------------------------------------------------------------- */
