// The statistics page's charts (ECharts): cases started and ended per month, and the average and
// 90th-percentile time of the slowest steps. Data from each chart's data-series (no inline script).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function months(element, rows) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [element.dataset.labelStarted, element.dataset.labelEnded] },
      grid: { left: 40, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: element.dataset.labelStarted, type: "line", data: rows.map(function (r) { return r[1]; }) },
        { name: element.dataset.labelEnded, type: "line", data: rows.map(function (r) { return r[2]; }) }
      ]
    };
  }

  function steps(element, rows) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [element.dataset.labelMean, element.dataset.labelP90] },
      grid: { left: 120, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r.step; }) },
      series: [
        { name: element.dataset.labelMean, type: "bar", data: rows.map(function (r) { return r.mean_hours; }) },
        { name: element.dataset.labelP90, type: "bar", data: rows.map(function (r) { return r.p90_hours; }) }
      ]
    };
  }

  document.querySelectorAll(".stat-chart[data-series]").forEach(function (element) {
    var rows = JSON.parse(element.dataset.series);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false },
      element.dataset.kind === "months" ? months(element, rows) : steps(element, rows)));
    element.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
