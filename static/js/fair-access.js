// The fair-access chart: the share of trainees with at least one confirmed experience, as bars
// (0–100%). Its figures are in the table below it.
const data = JSON.parse(document.getElementById("chart-data").textContent);
const canvas = document.getElementById("fair-chart");
if (window.Chart && canvas) {
  canvas.parentElement.style.position = "relative";
  canvas.parentElement.style.height = data.labels.length > 8 ? `${Math.min(data.labels.length * 22 + 60, 900)}px` : "260px";
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Trainees with an experience (%)", data: data.values, backgroundColor: "#005eb8" }],
    },
    options: {
      indexAxis: data.labels.length > 8 ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { beginAtZero: true }, y: { beginAtZero: true, max: data.labels.length > 8 ? undefined : 100 } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}
