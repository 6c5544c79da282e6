/**
 * Area under the ROC curve of a score for a binary target, by the Mann-Whitney rank statistic
 * (Hanley & McNeil 1982): AUC = (sum of positives' ranks - P(P+1)/2) / (P N), tied scores
 * sharing their average rank (as sklearn's `roc_auc_score`). NaN without both classes.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let positives = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // average of ranks start+1..end
    for (let i = start; i < end; i++) {
      if (positive[order[i]]) {
        rankSum += rank;
        positives++;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
