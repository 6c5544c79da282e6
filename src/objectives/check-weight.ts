/** Validation of objective hyperparameters, with messages that name the field and the value. */

/** Throws a RangeError unless `value` is a finite number >= 0. */
export function checkWeight(objective: string, field: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `${objective}: ${field} is ${String(value)}, expected a finite number >= 0`,
    );
  }
}
