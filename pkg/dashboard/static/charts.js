// Draws every element with a data-chart attribute (JSON written by the
// server: title, series names, x values then one array per series) with uPlot.
(function () {
  "use strict";
  const colours = ["#2f6fdf", "#d9822b", "#2a9d5c", "#a33ea1"];

  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      const c = JSON.parse(el.dataset.chart);
      el.innerHTML = "";
      const series = [{ label: c.xTime ? "time" : (c.xLabel || "x") }];
      c.series.forEach(function (name, i) {
        series.push({ label: name, stroke: colours[i % colours.length], width: 2, dash: name === "cap" ? [6, 4] : undefined });
      });
      const opts = {
        title: c.title,
        width: Math.max(300, el.clientWidth || 600),
        height: 260,
        scales: { x: { time: !!c.xTime } },
        series: series,
        axes: [{}, { size: 100, values: function (u, vals) { return vals.map(function (v) { return v.toLocaleString("en-US"); }); } }],
      };
      new uPlot(opts, c.data, el);
    });
  }

  window.nightshiftCharts = { draw: draw };
})();
