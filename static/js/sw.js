/* The service worker of parcel notifications, served at /sw.js (tracking_site/following/views.py).
   It shows what the site pushes, in the device's language, and opens the parcel's page when tapped. */
"use strict";

function pickTexts(texts) {
  var languages = (self.navigator && self.navigator.languages) || [];
  for (var i = 0; i < languages.length; i += 1) {
    var code = String(languages[i]).toLowerCase().split("-")[0];
    if (texts[code]) {
      return texts[code];
    }
  }
  return texts.en || {};
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  var texts = pickTexts(data.texts || {});
  event.waitUntil(
    self.registration.showNotification(texts.title || "Parcel update", {
      body: texts.body || "",
      tag: data.tag,
      data: { url: data.url }
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  // Only our own pages: a notification never opens another site.
  if (url && new URL(url, self.location.href).origin === self.location.origin) {
    event.waitUntil(self.clients.openWindow(url));
  }
});
