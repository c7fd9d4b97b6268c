namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Writes the training targets of the row a cursor is on, or throws naming the column, the row and what was
/// expected when its label is missing, out of range, or does not fit the sequence.
/// </summary>
/// <param name="rowSteps">Steps the row's sequence holds, before <c>MaxSequenceLength</c> cuts it; a label with
/// one value per step must have exactly this many.</param>
/// <param name="targets">The row's targets, <see cref="LabelColumn.TargetCount"/> of the kept steps: one value per
/// sequence, K values, or one class index per kept step.</param>
internal delegate void TargetGetter(int rowSteps, Span<float> targets);
