// Live updates: the server sends a Server-Sent Event on every block and when
// the node connection changes; the page then fetches its own main element
// again and swaps it in, so it stays current without reloading.
(function () {
  "use strict";
  const main = document.getElementById("main");
  let busy = false, again = false;

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const res = await fetch(location.pathname + location.search, { headers: { "X-Dashboard-Fragment": "1" }, cache: "no-store" });
      const html = await res.text();
      if (html) {
        main.innerHTML = html;
        window.nightshiftCharts.draw(main);
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      }
      setLive(true);
    } catch (e) {
      setLive(false);
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }

  function setLive(ok) {
    const el = document.getElementById("live");
    if (!el) return;
    el.textContent = ok ? "live" : "dashboard unreachable, retrying";
    el.className = ok ? "live on" : "live off";
  }

  window.nightshiftCharts.draw(main);
  const events = new EventSource("/events");
  events.addEventListener("block", refresh);
  events.addEventListener("status", refresh);
  events.onerror = function () { setLive(false); };
  events.onopen = function () { setLive(true); };
})();
