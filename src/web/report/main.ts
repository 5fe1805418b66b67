/**
 * The calibration report's charts: the report (an HTML file written beside
 * the profile, see src/device/calibration/report.ts) carries each plotted
 * hold's min/max envelope as JSON; this draws them with the dashboard's
 * own trace chart.
 */
import { TraceChart, type TraceColumns } from '../charts/trace_chart.ts';

export interface ReportPlots {
  channels: number;
  plots: (TraceColumns & { id: string; secondsPerColumn: number })[];
}

const data = document.getElementById('report-data');
if (data?.textContent) {
  const report = JSON.parse(data.textContent) as ReportPlots;
  for (const plot of report.plots) {
    const target = document.getElementById(plot.id);
    if (!target) continue;
    const columns = plot.min[0]?.length ?? 0;
    const chart = new TraceChart(target, { channels: report.channels, secondsPerColumn: plot.secondsPerColumn, columns, width: 640, stripHeight: 36, meters: false });
    chart.append(plot);
    chart.redraw();
  }
}
