// The time page's chart: each week's hours as bars against the weekly allocation as a line,
// on one hours axis. Its figures are in the week-by-week table too.
const data = JSON.parse(document.getElementById("chart-data").textContent);
const canvas = document.getElementById("weekly-chart");
if (window.Chart && canvas) {
  // The chart's box sets its height (it scales to the width): short enough for a phone.
  canvas.parentElement.style.position = "relative";
  canvas.parentElement.style.height = window.innerWidth < 641 ? "240px" : "320px";
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "Hours logged", data: data.hours, backgroundColor: "#005eb8", order: 2 },
        {
          type: "line",
          label: "Allocation",
          data: data.allocation,
          borderColor: "#d5281b",
          backgroundColor: "#d5281b",
          borderWidth: 2,
          pointRadius: 0,
          stepped: "middle",
          order: 1,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0 }, title: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: "Hours" } },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
}
