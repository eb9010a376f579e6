// Refreshes the delivery log every few seconds, so new attempts appear without a reload.
(() => {
  const body = document.querySelector("tbody[data-refresh-url]");
  if (!body) return;
  const INTERVAL_MS = 2000;
  let shown = body.innerHTML.trim();

  setInterval(async () => {
    if (document.hidden) return;
    const response = await fetch(body.dataset.refreshUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const rows = (await response.text()).trim();
    if (rows !== shown) {
      body.innerHTML = rows;
      shown = rows;
    }
  }, INTERVAL_MS);
})();
