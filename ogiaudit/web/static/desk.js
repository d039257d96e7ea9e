// The review desk's only script: place the boxes on page images, draw the trend charts (Chart.js, served here).
(function () {
  document.querySelectorAll("figure.page .box").forEach(function (box) {
    var b = box.dataset.bbox.split(",").map(Number);
    box.style.left = (b[0] * 100) + "%";
    box.style.top = (b[1] * 100) + "%";
    box.style.width = ((b[2] - b[0]) * 100) + "%";
    box.style.height = ((b[3] - b[1]) * 100) + "%";
  });
  var data = document.getElementById("trend-data");
  if (!data || typeof Chart === "undefined") return;
  var d = JSON.parse(data.textContent);
  var percent = { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } };
  new Chart(document.getElementById("chart-rates"), {
    type: "line",
    data: { labels: d.years.map(function (y) { return y + "年度"; }), datasets: [
      { label: "按时发布率", data: d.on_time, borderColor: "#2e7d32", backgroundColor: "#2e7d32" },
      { label: "有确定错误的比例", data: d.errors, borderColor: "#c62828", backgroundColor: "#c62828" }] },
    options: { animation: false, maintainAspectRatio: false, scales: percent }
  });
  new Chart(document.getElementById("chart-missing"), {
    type: "bar",
    data: { labels: d.years.map(function (y) { return y + "年度"; }), datasets: [
      { label: "未发布报告数", data: d.missing, backgroundColor: "#ef6c00" }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  document.body.dataset.charts = "ready";
})();
