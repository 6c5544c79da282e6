/** The values a study tabulates from an eval report (one column per metric value). */

/**
 * The headline values of an eval report by column name: a metric with one value is named by
 * the metric (`mig`, `mig-dlib`), one with several by `metric.key` (`decomposition.tc`).
 */
export function headlineValues(
  metrics: Record<string, { values: Record<string, number | null> }>,
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [name, report] of Object.entries(metrics)) {
    const entries = Object.entries(report.values);
    for (const [key, value] of entries) {
      values[entries.length === 1 ? name : `${name}.${key}`] = value;
    }
  }
  return values;
}
