// Targets over time on a project's page: one ECharts line chart per target, the value planned at
// each quarter's end (the linear trajectory of the task book) against the value reported for it.
// The data comes from each chart's data-series attribute (no inline script: see the CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function render(element) {
    var series = JSON.parse(element.dataset.series);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [element.dataset.labelPlanned, element.dataset.labelReported] },
      grid: { left: 56, right: 24, top: 36, bottom: 32 },
      xAxis: { type: "category", data: series.quarters, boundaryGap: false },
      yAxis: { type: "value", name: series.unit || (series.kind === "quality" ? "%" : ""), scale: true },
      series: [
        { name: element.dataset.labelPlanned, type: "line", data: series.expected, showSymbol: false,
          lineStyle: { type: "dashed" } },
        { name: element.dataset.labelReported, type: "line", data: series.reported, connectNulls: true,
          symbolSize: 8 }
      ]
    });
    element.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll(".target-chart[data-series]").forEach(render);
})();
