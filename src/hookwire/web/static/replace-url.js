// A page that answers a form's POST with a secret (shown once) takes the plain page's address
// in history, so reloading it asks for that page again instead of posting the form twice.
(() => {
  const url = document.currentScript?.dataset.url;
  if (url) window.history.replaceState(null, "", url + window.location.hash);
})();
